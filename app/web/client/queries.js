// The GraphQL documents the client sends (all of them, in one place).
export const MESSAGE_FIELDS = `fragment M on Message {
  id text createdAt deleted replyCount revisions { editedAt }
  author { id username displayName }
  conversation { id } topic { path }
  inReplyTo { id text author { displayName } } root { id }
  labels { text color }
  reactions { content count viewerHasReacted }
  likeCount viewerHasLiked votesUp votesDown viewerVote
}`;

const ERROR = "... on Error { code message }";

export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) {
  __typename ... on LoginSuccess { token } ${ERROR} } }`;

export const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) {
  __typename ... on RegisterSuccess { token } ${ERROR} } }`;

export const LOGOUT = `mutation { logout { __typename ${ERROR} } }`;

export const SIDEBAR = `query Sidebar {
  eventCursor
  viewer { id username displayName }
  conversations(first: 100) { edges { node {
    id title isDirect unreadCount lastActivityAt
    participants { id username displayName }
    lastMessage { text deleted author { displayName } }
  } } }
  topics(first: 100) { edges { node { path name unreadCount } } }
  inboxUnreadCount
  announcements(pendingOnly: true) { totalCount }
}`;

export const PAGE = `query Page($filter: MessageFilter!, $after: String) {
  messages(filter: $filter, first: 30, after: $after) {
    edges { node { ...M } }
    pageInfo { hasNextPage endCursor }
  }
} ${MESSAGE_FIELDS}`;

export const MESSAGE = `query Message($id: ID!) { message(id: $id) { ...M } } ${MESSAGE_FIELDS}`;

export const TOPIC = `query Topic($path: String!) { topic(path: $path) { path name description viewerCanWrite } }`;

export const CONVERSATION = `query Conversation($id: ID!) { conversation(id: $id) {
  id title participants { id username displayName } } }`;

export const USER = `query User($username: String!) { user(username: $username) { id username } }`;

export const CREATE_CONVERSATION = `mutation Create($input: CreateConversationInput!) {
  createConversation(input: $input) { __typename ... on CreateConversationSuccess { conversation { id } } ${ERROR} } }`;

export const SEND = `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) {
  __typename ... on Message { ...M } ${ERROR} } } ${MESSAGE_FIELDS}`;

export const EDIT = `mutation Edit($input: EditMessageInput!) { editMessage(input: $input) {
  __typename ... on Message { ...M } ${ERROR} } } ${MESSAGE_FIELDS}`;

export const DELETE = `mutation Delete($input: DeleteMessageInput!) { deleteMessage(input: $input) {
  __typename ... on DeleteMessageSuccess { deletedIds tombstones { ...M } } ${ERROR} } } ${MESSAGE_FIELDS}`;

export const REACT = `mutation React($input: ReactInput!) { react(input: $input) {
  __typename ... on Message { ...M } ${ERROR} } } ${MESSAGE_FIELDS}`;

export const LIKE = `mutation Like($input: LikeInput!) { like(input: $input) {
  __typename ... on Message { ...M } ${ERROR} } } ${MESSAGE_FIELDS}`;

export const VOTE = `mutation Vote($input: VoteInput!) { vote(input: $input) {
  __typename ... on Message { ...M } ${ERROR} } } ${MESSAGE_FIELDS}`;

export const LABEL = `mutation Label($input: LabelMessageInput!) { labelMessage(input: $input) {
  __typename ... on LabelMessageSuccess { labeled { ...M } } ${ERROR} } } ${MESSAGE_FIELDS}`;

export const MARK_READ = `mutation Read($input: MarkReadInput!) { markRead(input: $input) {
  __typename ${ERROR} } }`;

export const INBOX = `query Inbox {
  inbox(first: 50) { edges { node { id text createdAt readAt author { displayName } } } }
  announcements(first: 50) { edges { node { id version title body confirmation viewerMustConfirm } } }
}`;

export const CONFIRM = `mutation Confirm($input: ConfirmAnnouncementInput!) { confirmAnnouncement(input: $input) {
  __typename ${ERROR} } }`;
