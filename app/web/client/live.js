// One messageEvents subscription for the whole app, resumed from the last cursor after any drop
// (network loss, a sleeping laptop, a server restart): what was missed is replayed, nothing twice.
import { session, socketClient } from "./api.js";
import { MESSAGE_FIELDS } from "./queries.js";

const EVENTS = `subscription Events($after: String) {
  messageEvents(after: $after) { cursor kind messageId message { ...M } }
} ${MESSAGE_FIELDS}`;

const INBOX = "subscription { inboxUnreadCount }";
const ANNOUNCEMENTS = "subscription { announcementPublished { id } }";

// A socket that stops answering (a laptop that slept, a dead network path) still looks open:
// keepAlive pings every 10 s, and a ping without its pong within 5 s closes it, so we resume.
function pongWatch() {
  let socket = null;
  let timer = null;
  return {
    connected: (s) => (socket = s),
    ping: (received) => {
      if (received) return;
      clearTimeout(timer);
      timer = setTimeout(() => socket && socket.readyState === WebSocket.OPEN && socket.close(4408, "Pong timeout"), 5_000);
    },
    pong: (received) => received && clearTimeout(timer),
    closed: () => clearTimeout(timer),
  };
}

export function follow({ after, onEvent, onStatus, onResumed, onInbox }) {
  let cursor = after;
  let client = null;
  let dispose = null;
  let others = [];
  let timer = null;
  let attempt = 0;
  let stopped = false;
  let status = "";
  const seen = new Set();

  function setStatus(value) {
    if (value !== status) {
      status = value;
      onStatus(value);
    }
  }

  function drop() {
    for (const stop of others) stop();
    others = [];
    if (dispose) dispose();
    if (client) client.dispose();
    dispose = client = null;
  }

  function connect() {
    clearTimeout(timer);
    drop();
    if (stopped) return;
    setStatus("connecting");
    const resumed = attempt > 0 || seen.size > 0;
    client = socketClient({ on: pongWatch() });
    client.on("connected", () => {
      attempt = 0;
      setStatus("live");
      if (resumed && onResumed) onResumed();
    });
    dispose = client.subscribe(
      { query: EVENTS, variables: { after: cursor } },
      {
        next: ({ data }) => {
          const event = data && data.messageEvents;
          if (!event || seen.has(event.cursor)) return;
          seen.add(event.cursor);
          cursor = event.cursor;
          onEvent(event);
        },
        error: (error) => (revoked(error) ? loggedOut() : retry()),
        complete: () => retry(),
      },
    );
    // the inbox badge and pending announcements: a push means "read them again"
    const quiet = { next: () => onInbox && onInbox(), error: () => {}, complete: () => {} };
    others = [client.subscribe({ query: INBOX }, quiet), client.subscribe({ query: ANNOUNCEMENTS }, quiet)];
  }

  // 4401: the token was revoked or expired (a logout elsewhere); 4403: refused at connection_init
  const revoked = (error) => error && (error.code === 4401 || error.code === 4403);

  function loggedOut() {
    session.token = null;
    window.dispatchEvent(new Event("parley:logged-out"));
  }

  function retry(delay) {
    if (stopped) return;
    drop();
    setStatus("offline");
    clearTimeout(timer);
    timer = setTimeout(connect, delay ?? Math.min(30_000, 500 * 2 ** attempt++));
  }

  const onOffline = () => retry(60_000); // until the browser says it is back online
  const onOnline = () => connect();
  const onVisible = () => {
    if (document.visibilityState === "visible" && status !== "live") connect();
  };
  window.addEventListener("offline", onOffline);
  window.addEventListener("online", onOnline);
  document.addEventListener("visibilitychange", onVisible);
  connect();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      drop();
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
      document.removeEventListener("visibilitychange", onVisible);
    },
  };
}
