// The inbox: notices sent to the viewer, and announcements (with confirm where asked).
import { gql, ok } from "./api.js";
import { h, timeOf } from "./dom.js";
import { CONFIRM, INBOX, MARK_READ } from "./queries.js";

export async function inboxView(onChange) {
  const data = await gql(INBOX);
  const notices = data.inbox.edges.map((e) => e.node);
  const announcements = data.announcements.edges.map((e) => e.node);
  const error = h("p", { class: "error", role: "alert" });
  const unread = notices.filter((n) => !n.readAt).map((n) => n.id);
  if (unread.length) gql(MARK_READ, { input: { ids: unread } }).then(onChange, () => {});

  async function confirm(a, button) {
    button.disabled = true;
    try {
      ok((await gql(CONFIRM, { input: { id: a.id, version: a.version } })).confirmAnnouncement);
      button.replaceWith(h("span", { class: "confirmed" }, "Confirmed"));
      onChange();
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  }

  return h("section", { class: "place inbox", "aria-labelledby": "place-title" },
    h("header", { class: "place-header" },
      h("a", { href: "#/", class: "back", "aria-label": "Back to the list" }, "←"),
      h("h1", { id: "place-title", tabindex: "-1" }, "Inbox")),
    h("div", { class: "log" },
      error,
      h("h2", {}, "Announcements"),
      announcements.length
        ? h("ul", { class: "announcements" }, announcements.map((a) => {
            const button = h("button", { type: "button", class: "primary" }, a.confirmation || "Confirm");
            button.addEventListener("click", () => confirm(a, button));
            return h("li", { class: "announcement" }, h("h3", {}, a.title), h("p", {}, a.body),
              a.viewerMustConfirm ? button : null);
          }))
        : h("p", { class: "empty" }, "No announcements."),
      h("h2", {}, "Notices"),
      notices.length
        ? h("ol", { class: "messages" }, notices.map((n) => h("li", { class: `message${n.readAt ? "" : " unread"}` },
            h("p", { class: "meta" }, h("span", { class: "author" }, n.author.displayName), " ",
              h("time", { datetime: n.createdAt }, timeOf(n.createdAt))),
            h("p", { class: "text" }, n.text))))
        : h("p", { class: "empty" }, "No notices.")));
}
