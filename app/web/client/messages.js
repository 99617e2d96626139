// A conversation or a topic: messages oldest at the top, older pages loaded on scrolling up,
// a composer for sending, editing and replying, and per-message actions.
import { gql, ok } from "./api.js";
import { announce, h, timeOf } from "./dom.js";
import { DELETE, EDIT, LABEL, LIKE, MARK_READ, PAGE, REACT, SEND, VOTE } from "./queries.js";

const EMOJI = ["👍", "❤️", "😄"];

export class MessageView {
  // place: {kind: "c", id} or {kind: "t", path}; title: the heading
  constructor(place, title, viewer) {
    this.place = place;
    this.viewer = viewer;
    this.messages = new Map(); // id -> message, the one copy each
    this.raised = new Map(); // root id -> the reply count this view raised it to, until an event has it
    this.after = null;
    this.hasOlder = true;
    this.loading = false;
    this.composing = { mode: "send", target: null };
    // a thread ("r"): the replies under place.id, sent to place.home (its conversation or topic)
    this.filter = { c: { conversation: place.id }, t: { topic: place.path }, r: { root: place.id } }[place.kind];
    this.home = place.kind === "r" ? place.home : this.filter;
    this.rootId = place.kind === "r" ? place.id : null; // shown above the replies, not among them
    this.list = h("ol", { class: "messages" });
    this.older = h("button", { type: "button", class: "older", onclick: () => this.loadOlder() }, "Load older messages");
    this.log = h("div", { class: "log", role: "log", "aria-label": `Messages in ${title}`, tabindex: "0" }, this.older, this.list);
    this.error = h("p", { class: "error", role: "alert" });
    this.el = h("section", { class: "place", "aria-labelledby": "place-title" },
      h("header", { class: "place-header" },
        h("a", { href: "#/", class: "back", "aria-label": "Back to the list" }, "←"),
        h("h1", { id: "place-title", tabindex: "-1" }, title)),
      place.kind === "r" ? h("div", { class: "thread-root" }, this.render(place.root)) : null,
      this.log, this.error, this.composer());
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.loadOlder();
    }, { root: this.log }).observe(this.older);
  }

  belongs(message) {
    if (!message) return false;
    if (this.place.kind === "r") return Boolean(message.root && message.root.id === this.place.id);
    return this.place.kind === "c"
      ? Boolean(message.conversation && message.conversation.id === this.place.id)
      : Boolean(message.topic && message.topic.path === this.place.path);
  }

  async loadOlder() {
    if (this.loading || !this.hasOlder) return;
    this.loading = true;
    try {
      const data = await gql(PAGE, { filter: this.filter, after: this.after });
      const page = data.messages;
      const fresh = page.edges.map((e) => e.node).filter((m) => !this.messages.has(m.id) && m.id !== this.rootId).reverse();
      const first = this.after === null;
      const before = this.log.scrollHeight;
      for (const m of fresh) this.messages.set(m.id, m);
      this.list.prepend(...fresh.map((m) => this.render(m)));
      this.after = page.pageInfo.endCursor;
      this.hasOlder = page.pageInfo.hasNextPage;
      this.older.hidden = !this.hasOlder;
      if (first) {
        this.log.scrollTop = this.log.scrollHeight;
        this.markRead();
      } else {
        this.log.scrollTop += this.log.scrollHeight - before; // keep the reader's place
      }
    } catch (e) {
      this.error.textContent = e.message;
    } finally {
      this.loading = false;
    }
  }

  markRead() {
    const input = this.place.kind === "c" ? { conversation: this.place.id } : { filter: this.filter };
    gql(MARK_READ, { input }).catch(() => {});
  }

  // A live event or a mutation's answer: add, replace or remove, never twice.
  apply(kind, messageId, message) {
    if (this.place.kind === "r" && messageId === this.place.id && message) {
      this.el.querySelector(".thread-root").replaceChildren(this.render(message)); // the root itself
      return;
    }
    const known = this.messages.has(messageId);
    if (kind === "DELETED" && (!message || !message.deleted)) {
      if (known) {
        this.messages.delete(messageId);
        this.list.querySelector(`[data-id="${CSS.escape(messageId)}"]`)?.remove();
      }
      return;
    }
    if (!this.belongs(message)) {
      if (known) this.apply("DELETED", messageId, null); // moved elsewhere
      return;
    }
    if (known) {
      // an event read before a reply this view already counted (the send's answer came first) does
      // not take the count back; the first event that has the count ends this
      const raised = this.raised.get(messageId);
      if (raised !== undefined && message.replyCount < raised) message = { ...message, replyCount: raised };
      else this.raised.delete(messageId);
      this.messages.set(messageId, message);
      this.list.querySelector(`[data-id="${CSS.escape(messageId)}"]`)?.replaceWith(this.render(message));
    } else if (kind === "ADDED" || kind === "MOVED" || !this.hasOlder) {
      const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
      this.messages.set(messageId, message);
      this.list.append(this.render(message));
      this.countReply(message);
      if (atBottom || message.author.id === this.viewer.id) this.log.scrollTop = this.log.scrollHeight;
      if (message.author.id !== this.viewer.id) {
        announce(`${message.author.displayName}: ${message.text}`);
        if (document.visibilityState === "visible") this.markRead();
      }
    }
  }

  // a new reply raises its root's reply count here (the event carries the reply, not the root)
  countReply(reply) {
    const root = reply.root && reply.root.id !== reply.id && this.messages.get(reply.root.id);
    if (!root) return;
    const updated = { ...root, replyCount: root.replyCount + 1 };
    this.raised.set(root.id, updated.replyCount);
    this.messages.set(root.id, updated);
    this.list.querySelector(`[data-id="${CSS.escape(root.id)}"]`)?.replaceWith(this.render(updated));
  }

  render(m) {
    const mine = m.author.id === this.viewer.id;
    const isTopic = Boolean(m.topic);
    const act = (label, text, onclick, pressed) =>
      h("button", { type: "button", class: "act", "aria-label": label, "aria-pressed": pressed === undefined ? null : String(pressed), onclick }, text);
    const reactions = m.reactions.map((r) =>
      act(`${r.content} ${r.count}, ${r.viewerHasReacted ? "remove your reaction" : "react"}`, `${r.content} ${r.count}`,
        () => this.mutate(REACT, "react", { ref: { id: m.id }, content: r.content, remove: r.viewerHasReacted }), r.viewerHasReacted));
    const missing = EMOJI.filter((e) => !m.reactions.some((r) => r.content === e));
    return h("li", { class: `message${mine ? " mine" : ""}${m.deleted ? " deleted" : ""}`, "data-id": m.id },
      h("p", { class: "meta" },
        h("span", { class: "author" }, m.author.displayName || m.author.username), " ",
        h("time", { datetime: m.createdAt }, timeOf(m.createdAt)),
        m.revisions.length > 0 && !m.deleted ? h("span", { class: "edited" }, " (edited)") : null),
      m.inReplyTo ? h("p", { class: "quote" }, `↪ ${m.inReplyTo.author.displayName}: ${m.inReplyTo.text}`) : null,
      h("p", { class: "text" }, m.deleted ? "This message was deleted." : m.text),
      m.labels.length ? h("p", { class: "labels" }, m.labels.map((l) => h("span", { class: "label", style: `--label:${l.color}` }, l.text))) : null,
      m.deleted ? null : h("div", { class: "actions", role: "group", "aria-label": "Message actions" },
        reactions,
        missing.map((e) => act(`React with ${e}`, e, () => this.mutate(REACT, "react", { ref: { id: m.id }, content: e }))),
        act(`Reply to ${m.author.displayName}`, "Reply", () => this.compose("reply", m)),
        m.replyCount > 0 && this.place.kind !== "r"
          ? h("a", { class: "act thread-link", href: `#/r/${m.id}` }, `${m.replyCount} ${m.replyCount === 1 ? "reply" : "replies"}`)
          : null,
        isTopic ? act(m.viewerHasLiked ? "Unlike" : "Like", `♥ ${m.likeCount}`, () => this.mutate(LIKE, "like", { ref: { id: m.id }, liked: !m.viewerHasLiked }), m.viewerHasLiked) : null,
        isTopic ? act("Vote up", `▲ ${m.votesUp}`, () => this.mutate(VOTE, "vote", { ref: { id: m.id }, direction: m.viewerVote === "UP" ? null : "UP" }), m.viewerVote === "UP") : null,
        isTopic ? act("Vote down", `▼ ${m.votesDown}`, () => this.mutate(VOTE, "vote", { ref: { id: m.id }, direction: m.viewerVote === "DOWN" ? null : "DOWN" }), m.viewerVote === "DOWN") : null,
        isTopic ? act("Add a label", "Label", () => this.label(m)) : null,
        mine ? act("Edit", "Edit", () => this.compose("edit", m)) : null,
        mine ? act("Delete", "Delete", () => this.remove(m)) : null));
  }

  async mutate(document, field, input) {
    this.error.textContent = "";
    try {
      const result = ok((await gql(document, { input }))[field]);
      const message = result.labeled || result;
      if (message && message.id) this.apply("EDITED", message.id, message);
      return result;
    } catch (e) {
      this.error.textContent = e.message;
      return null;
    }
  }

  async label(m) {
    const text = window.prompt("Label text");
    if (text && text.trim()) await this.mutate(LABEL, "labelMessage", { ref: { id: m.id }, add: [{ text: text.trim(), color: "#2563eb" }] });
  }

  async remove(m) {
    if (!window.confirm("Delete this message?")) return;
    this.error.textContent = "";
    try {
      const result = ok((await gql(DELETE, { input: { ref: { id: m.id } } })).deleteMessage);
      for (const id of result.deletedIds) this.apply("DELETED", id, null);
      for (const t of result.tombstones) this.apply("DELETED", t.id, t);
    } catch (e) {
      this.error.textContent = e.message;
    }
  }

  compose(mode, target) {
    this.composing = { mode, target };
    const label = { send: "", reply: `Replying to ${target?.author.displayName}`, edit: "Editing your message" }[mode];
    this.modeText.textContent = label;
    this.modeRow.hidden = mode === "send";
    this.submit.textContent = mode === "edit" ? "Save" : "Send";
    this.input.value = mode === "edit" ? target.text : "";
    this.input.focus();
  }

  composer() {
    this.input = h("textarea", { id: "composer", rows: "2", placeholder: "Write a message", required: true,
      onkeydown: (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); this.form.requestSubmit(); }
        if (e.key === "Escape") this.compose("send"); } });
    this.submit = h("button", { type: "submit", class: "primary" }, "Send");
    this.modeText = h("span", {});
    this.modeRow = h("p", { class: "mode", hidden: true }, this.modeText, " ",
      h("button", { type: "button", class: "link", onclick: () => this.compose("send") }, "Cancel"));
    this.form = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.modeRow, h("label", { for: "composer", class: "visually-hidden" }, "Message"),
      h("span", { class: "row" }, this.input, this.submit));
    return this.form;
  }

  async send() {
    const text = this.input.value.trim();
    if (!text) return;
    const { mode, target } = this.composing;
    // read-only while sending, so nothing typed meanwhile is lost when the composer clears
    this.input.readOnly = this.submit.disabled = true;
    let result;
    try {
      if (mode === "edit") result = await this.mutate(EDIT, "editMessage", { ref: { id: target.id }, text });
      else {
        const input = { ...this.home, text, clientMutationId: crypto.randomUUID?.() };
        if (mode === "reply") input.inReplyTo = { id: target.id };
        else if (this.place.kind === "r") input.inReplyTo = { id: this.place.id };
        result = await this.mutate(SEND, "sendMessage", input);
        if (result) this.apply("ADDED", result.id, result);
      }
    } finally {
      this.input.readOnly = this.submit.disabled = false;
    }
    if (result) this.compose("send");
  }

  focus() {
    this.el.querySelector("#place-title").focus();
  }
}
