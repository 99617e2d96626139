// Parley's web client: the hash route (#/c/<id>, #/t/<path>, #/inbox) picks the main view; one
// live subscription keeps the open view and the sidebar current.
import { gql, session } from "./api.js";
import { authView } from "./auth.js";
import { announce, h } from "./dom.js";
import { inboxView } from "./inbox.js";
import { follow } from "./live.js";
import { MessageView } from "./messages.js";
import { CONVERSATION, LOGOUT, MESSAGE, SIDEBAR, TOPIC } from "./queries.js";
import { conversationName, sidebarView } from "./sidebar.js";

const root = document.getElementById("app");
let state = null; // {viewer, sidebar, live, view}

function route() {
  return decodeURIComponent(location.hash.replace(/^#\/?/, ""));
}

async function refreshSidebar() {
  if (!state) return;
  const data = await gql(SIDEBAR);
  state.sidebarData = data;
  const next = sidebarView(data, route());
  const focused = document.activeElement && state.sidebar.contains(document.activeElement);
  const focusHref = focused ? document.activeElement.getAttribute("href") : null;
  const hadInput = focused && document.activeElement.tagName === "INPUT";
  if (hadInput) return; // do not disturb someone typing; the next change redraws it
  state.sidebar.replaceWith(next);
  state.sidebar = next;
  if (focusHref) next.querySelector(`a[href="${CSS.escape(focusHref)}"]`)?.focus();
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refreshSidebar().catch(() => {}), 250);
}

async function showRoute() {
  const where = route();
  const main = document.getElementById("main");
  document.body.dataset.view = where ? "place" : "list";
  state.view = null;
  let view;
  try {
    if (where.startsWith("c/")) {
      const { conversation } = await gql(CONVERSATION, { id: where.slice(2) });
      if (!conversation) throw new Error("This conversation does not exist or is not yours.");
      state.view = new MessageView({ kind: "c", id: conversation.id }, conversationName(conversation, state.viewer), state.viewer);
    } else if (where.startsWith("t/")) {
      const { topic } = await gql(TOPIC, { path: where.slice(1) });
      if (!topic) throw new Error("This topic does not exist or you may not read it.");
      state.view = new MessageView({ kind: "t", path: topic.path }, topic.path, state.viewer);
    } else if (where.startsWith("r/")) {
      const { message: root } = await gql(MESSAGE, { id: where.slice(2) });
      if (!root) throw new Error("This message does not exist or you may not read it.");
      const home = root.conversation ? { conversation: root.conversation.id } : { topic: root.topic.path };
      const place = { kind: "r", id: root.id, home, root };
      state.view = new MessageView(place, `Thread: ${root.author.displayName}`, state.viewer);
    } else if (where === "inbox") {
      view = await inboxView(refreshSoon);
    }
    if (state.view) {
      view = state.view.el;
      state.view.loadOlder();
    }
  } catch (e) {
    view = h("section", { class: "place" }, h("h1", { id: "place-title", tabindex: "-1" }, "Not found"), h("p", { class: "error", role: "alert" }, e.message));
  }
  main.replaceChildren(view || h("p", { class: "empty welcome" }, "Pick a conversation or a topic, or start a new conversation."));
  main.querySelector("#place-title")?.focus();
  refreshSoon();
}

function onEvent(event) {
  if (state.view) state.view.apply(event.kind, event.messageId, event.message);
  if (["ADDED", "DELETED", "MOVED", "READ"].includes(event.kind)) refreshSoon();
}

async function logout() {
  await gql(LOGOUT).catch(() => {});
  session.token = null;
  start();
}

async function start() {
  if (state) {
    state.live.stop();
    state = null;
  }
  if (!session.token) {
    root.replaceChildren(authView(start));
    return;
  }
  let data;
  try {
    data = await gql(SIDEBAR);
  } catch (e) {
    if (!session.token) return start();
    root.replaceChildren(h("main", { id: "main", class: "auth-page" }, h("p", { class: "error", role: "alert" }, e.message),
      h("button", { type: "button", onclick: start }, "Try again")));
    return;
  }
  const status = h("span", { id: "status-text", class: "status", role: "status" }, "");
  const dot = h("span", { class: "dot", "aria-hidden": "true" });
  const sidebar = sidebarView(data, route());
  state = { viewer: data.viewer, sidebar, sidebarData: data, view: null, live: null };
  root.replaceChildren(
    h("header", { class: "top" },
      h("a", { href: "#/", class: "brand" }, "Parley"),
      h("span", { class: "connection" }, dot, status),
      h("span", { id: "announcer", class: "visually-hidden", "aria-live": "polite" }),
      h("span", { class: "who" }, data.viewer.displayName || data.viewer.username),
      h("button", { type: "button", onclick: logout }, "Log out")),
    h("div", { class: "layout" }, sidebar, h("main", { id: "main", tabindex: "-1" })),
  );
  state.live = follow({
    after: data.eventCursor,
    onEvent,
    onInbox: refreshSoon,
    onStatus: (s) => {
      document.body.dataset.connection = s;
      status.textContent = { live: "Live", connecting: "Connecting…", offline: "Offline, reconnecting…" }[s];
    },
    onResumed: () => {
      announce("Back online");
      refreshSoon();
    },
  });
  await showRoute();
}

window.addEventListener("hashchange", () => state && showRoute());
window.addEventListener("parley:logged-out", () => start());
start();
