// The public GraphQL API: queries and mutations over HTTP, subscriptions over graphql-transport-ws.
const TOKEN_KEY = "parley.token";

export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export async function gql(query, variables = {}) {
  const headers = { "content-type": "application/json" };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError("The server cannot be reached; check the connection.", "NETWORK");
  }
  const body = await response.json().catch(() => ({}));
  const error = body.errors && body.errors[0];
  if (response.status === 401 || (error && error.extensions && error.extensions.code === "UNAUTHENTICATED")) {
    session.token = null;
    window.dispatchEvent(new Event("parley:logged-out"));
  }
  if (error) throw new ApiError(error.message, error.extensions && error.extensions.code);
  return body.data;
}

// A mutation's result union: the success member, or an ApiError from `... on Error { code message }`.
export function ok(result) {
  if (result && typeof result.code === "string" && typeof result.message === "string" && result.__typename && result.__typename.endsWith("Error")) {
    throw new ApiError(result.message, result.code);
  }
  return result;
}

export function socketClient(options = {}) {
  const url = new URL("/graphql", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return window.graphqlWs.createClient({
    url: url.toString(),
    connectionParams: () => ({ Authorization: `Bearer ${session.token}` }),
    lazy: true,
    retryAttempts: 0, // live.js resumes itself, from the last cursor it saw
    keepAlive: 10_000,
    ...options,
  });
}
