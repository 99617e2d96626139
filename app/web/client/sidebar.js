// The left column: conversations (unread count, last message), topics as a tree, the inbox.
import { gql, ok } from "./api.js";
import { h } from "./dom.js";
import { CREATE_CONVERSATION, USER } from "./queries.js";

function badge(count, what) {
  return count > 0 ? h("span", { class: "badge", "aria-label": `${count} unread ${what}` }, String(count)) : null;
}

export function conversationName(conversation, viewer) {
  if (conversation.title) return conversation.title;
  const others = conversation.participants.filter((p) => p.id !== viewer.id);
  return (others.length ? others : conversation.participants).map((p) => p.displayName || p.username).join(", ");
}

function topicTree(topics, current) {
  const byParent = new Map();
  const paths = new Set(topics.map((t) => t.path));
  for (const topic of topics) {
    let parent = topic.path.slice(0, topic.path.lastIndexOf("/"));
    while (parent && !paths.has(parent)) parent = parent.slice(0, parent.lastIndexOf("/"));
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(topic);
  }
  const branch = (parent) => {
    const children = byParent.get(parent);
    if (!children) return null;
    return h(
      "ul",
      {},
      children.map((t) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `#/t${t.path}`, "aria-current": current === `t${t.path}` ? "page" : null, title: t.path },
            h("span", { class: "name" }, t.name),
            badge(t.unreadCount, "messages"),
          ),
          branch(t.path),
        ),
      ),
    );
  };
  return branch("") || h("p", { class: "empty" }, "No topics yet.");
}

function newConversationForm() {
  const input = h("input", { id: "new-with", placeholder: "bob, carol", autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert" });
  async function onsubmit(event) {
    event.preventDefault();
    error.textContent = "";
    try {
      const names = input.value.split(",").map((s) => s.trim()).filter(Boolean);
      if (!names.length) throw new Error("Name at least one user.");
      const ids = [];
      for (const username of names) {
        const { user } = await gql(USER, { username });
        if (!user) throw new Error(`No user named ${username}.`);
        ids.push(user.id);
      }
      const result = ok((await gql(CREATE_CONVERSATION, { input: { participants: ids } })).createConversation);
      input.value = "";
      location.hash = `#/c/${result.conversation.id}`;
    } catch (e) {
      error.textContent = e.message;
    }
  }
  return h(
    "form",
    { class: "new-conversation", onsubmit },
    h("label", { for: "new-with" }, "New conversation with"),
    h("span", { class: "row" }, input, h("button", { type: "submit" }, "Start")),
    error,
  );
}

export function sidebarView(data, current) {
  const viewer = data.viewer;
  const conversations = data.conversations.edges.map((e) => e.node);
  const topics = data.topics.edges.map((e) => e.node);
  const pending = data.announcements.totalCount;
  return h(
    "nav",
    { class: "sidebar", "aria-label": "Conversations and topics" },
    h(
      "a",
      { href: "#/inbox", class: "inbox-link", "aria-current": current === "inbox" ? "page" : null },
      "Inbox",
      badge(data.inboxUnreadCount, "notices"),
      pending ? h("span", { class: "badge pending", "aria-label": `${pending} announcements to confirm` }, "!") : null,
    ),
    h("h2", {}, "Conversations"),
    conversations.length
      ? h(
          "ul",
          { class: "conversations" },
          conversations.map((c) =>
            h(
              "li",
              {},
              h(
                "a",
                { href: `#/c/${c.id}`, "aria-current": current === `c/${c.id}` ? "page" : null },
                h("span", { class: "name" }, conversationName(c, viewer)),
                badge(c.unreadCount, "messages"),
                h(
                  "span",
                  { class: "last" },
                  c.lastMessage
                    ? `${c.lastMessage.author.displayName}: ${c.lastMessage.deleted ? "(deleted)" : c.lastMessage.text}`
                    : "No messages yet",
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "empty" }, "No conversations yet."),
    newConversationForm(),
    h("h2", {}, "Topics"),
    h("div", { class: "topics" }, topicTree(topics, current)),
  );
}
