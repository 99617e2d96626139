// The login / register screen.
import { gql, ok, session } from "./api.js";
import { h } from "./dom.js";
import { LOGIN, REGISTER } from "./queries.js";

export function authView(onLoggedIn) {
  let mode = "login";
  const error = h("p", { class: "error", role: "alert", id: "auth-error" });
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", required: true, autocomplete: "current-password" });
  const displayName = h("input", { id: "display-name", name: "displayName", autocomplete: "name" });
  const nameRow = h("p", { class: "field", hidden: true }, h("label", { for: "display-name" }, "Display name (optional)"), displayName);
  const submit = h("button", { type: "submit", class: "primary" }, "Log in");
  const toggle = h("button", { type: "button", class: "link", onclick: () => setMode(mode === "login" ? "register" : "login") }, "Create an account");
  const title = h("h1", {}, "Log in to Parley");

  function setMode(next) {
    mode = next;
    const registering = mode === "register";
    title.textContent = registering ? "Create a Parley account" : "Log in to Parley";
    submit.textContent = registering ? "Create account" : "Log in";
    toggle.textContent = registering ? "I have an account" : "Create an account";
    password.autocomplete = registering ? "new-password" : "current-password";
    nameRow.hidden = !registering;
    error.textContent = "";
  }

  async function onsubmit(event) {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      const input = { username: username.value.trim(), password: password.value };
      let result;
      if (mode === "register") {
        if (displayName.value.trim()) input.displayName = displayName.value.trim();
        result = ok((await gql(REGISTER, { input })).register);
      } else {
        result = ok((await gql(LOGIN, { input })).login);
      }
      session.token = result.token;
      onLoggedIn();
    } catch (e) {
      error.textContent = e.message;
      password.focus();
    } finally {
      submit.disabled = false;
    }
  }

  const form = h(
    "form",
    { class: "auth", onsubmit, "aria-labelledby": "auth-title", novalidate: false },
    title,
    h("p", { class: "field" }, h("label", { for: "username" }, "Username"), username),
    h("p", { class: "field" }, h("label", { for: "password" }, "Password"), password),
    nameRow,
    error,
    h("p", { class: "actions" }, submit, toggle),
    h("p", { class: "hint" }, "Or explore the API in ", h("a", { href: "/graphql" }, "GraphiQL"), "."),
  );
  title.id = "auth-title";
  setTimeout(() => username.focus());
  return h("main", { class: "auth-page", id: "main" }, form);
}
