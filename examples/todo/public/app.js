// The todo example's front end: lists and adds todos with fetch, and follows /events with an
// EventSource. `?n=N&interval_ms=M` on the page's address is passed on to /events.
"use strict";

const list = document.getElementById("todos");
const form = document.getElementById("new-todo");
const events = document.getElementById("events");
const state = document.getElementById("sse-state");

async function refresh() {
  const res = await fetch("/todos");
  const todos = await res.json();
  list.replaceChildren(...todos.map((todo) => {
    const item = document.createElement("li");
    item.textContent = todo.title;
    item.className = todo.done ? "done" : "";
    return item;
  }));
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const title = new FormData(form).get("title");
  await fetch("/todos", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  form.reset();
  refresh();
});

// What the stream delivered, for people and for the browser test: every event with the
// connection it came on (a reconnect starts a new one).
window.sseLog = { events: [], opens: 0, closed: false };
const params = new URLSearchParams(location.search);
const query = new URLSearchParams({
  n: params.get("n") || "5",
  interval_ms: params.get("interval_ms") || "1000",
});
const source = new EventSource("/events?" + query);
source.onopen = () => {
  window.sseLog.opens += 1;
  state.textContent = "open";
};
source.onmessage = (e) => {
  window.sseLog.events.push({ id: e.lastEventId, data: JSON.parse(e.data), open: window.sseLog.opens });
  const item = document.createElement("li");
  item.textContent = e.data;
  events.append(item);
};
source.onerror = () => {
  // The browser reconnects after the server ends a stream, until it answers 204.
  if (source.readyState === EventSource.CLOSED) {
    window.sseLog.closed = true;
    state.textContent = "done";
  } else {
    state.textContent = "reconnecting";
  }
};

refresh();
