// The page once the wasm instance is dead. A Rust panic traps (panic=abort on stable,
// panic=immediate-abort in the size build, where no Rust hook runs), and the trap reaches the
// page's error events as a WebAssembly.RuntimeError. So the stopped message is drawn here, in
// JS, from text nodes only: nothing of the dead instance or of the failed page is trusted.

let notice = null; // [host origin, message]: set by the console once an allowed host is known
let told = false;

export function setStoppedNotice(target, message) {
  notice = target ? [target, message] : null;
}

export function renderStopped(container) {
  const make = (tag, text) => {
    const el = document.createElement(tag);
    el.textContent = text;
    return el;
  };
  const section = make("section", "");
  section.setAttribute("role", "alert");
  section.className = "card stopped";
  // A plain link, no script: it works after a trap.
  const reload = make("a", "Reload the console");
  reload.href = location.href;
  section.append(
    make("h1", "The console stopped — reload"),
    make("p", "It hit an unexpected error. Jobs already started keep running on the server; reloading shows them again."),
    reload,
  );
  container.replaceChildren(section);
}

function stopped(error) {
  if (!(error instanceof WebAssembly.RuntimeError)) return;
  renderStopped(document.body);
  if (told || !notice || window.parent === window) return;
  told = true;
  window.parent.postMessage(JSON.parse(notice[1]), notice[0]);
}

export function watchForTraps() {
  addEventListener("error", (e) => stopped(e.error));
  addEventListener("unhandledrejection", (e) => stopped(e.reason));
}
