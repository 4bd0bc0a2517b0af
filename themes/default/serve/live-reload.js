/*
 * Live reload for `isms serve`.
 *
 * Protocol (served by `isms serve` on 127.0.0.1 only):
 *
 *   GET /__isms/version  ->  200, Content-Type: application/json,
 *     {"version": "<build counter>", "error": null}
 *   or, while the last rebuild failed,
 *     {"version": "<build counter of the last good build>",
 *      "error": {"path": "policies/access.md", "line": 12 | null,
 *                "message": "what is wrong, possibly over several lines"}}
 *
 * The script polls every 500 ms (every 2 s while the tab is hidden or the
 * server does not answer). It remembers the first version it sees and:
 *   - reloads the page when a later answer has no error and a different
 *     version, or has no error after one was shown (the error was fixed);
 *   - on an error, keeps the page and shows an overlay (role="alert", so
 *     screen readers announce it without moving focus) with the file, line
 *     and message, and a "Dismiss" button. A dismissed error stays hidden
 *     until a different error arrives.
 *
 * The injected tag carries the version the page was built from
 * (data-version), so a rebuild that lands before the first poll still
 * reloads the page.
 *
 * Polling needs no server push support and survives server restarts. Does
 * nothing on file:// pages. Safe to include twice.
 */
(function () {
  "use strict";

  if (window.__ismsLiveReload || !/^https?:$/.test(window.location.protocol)) {
    return;
  }
  window.__ismsLiveReload = true;

  var ENDPOINT = "/__isms/version";
  var FAST = 500;
  var SLOW = 2000;
  // The version this page was built from: the server writes it into the
  // script tag, so a rebuild between serving the page and the first poll
  // still reloads it. Without it, the first answer counts.
  var script = document.currentScript;
  var known = script && script.getAttribute("data-version");
  var shownError = null; // key of the error on screen
  var dismissedError = null;
  var overlay = null;

  function errorKey(e) {
    return [e.path || "", e.line == null ? "" : e.line, e.message || ""].join("\u0000");
  }

  function removeOverlay() {
    if (overlay && overlay.parentNode) {
      overlay.parentNode.removeChild(overlay);
    }
    overlay = null;
  }

  function showOverlay(e) {
    var key = errorKey(e);
    if (key === shownError || key === dismissedError) {
      return;
    }
    removeOverlay();
    shownError = key;

    overlay = document.createElement("section");
    overlay.className = "isms-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("aria-labelledby", "isms-error-title");

    var h = document.createElement("h2");
    h.id = "isms-error-title";
    h.textContent = "Build failed: the page shows the last good build";
    overlay.appendChild(h);

    if (e.path) {
      var where = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = "File: ";
      where.appendChild(strong);
      var code = document.createElement("code");
      code.textContent = e.path + (e.line != null ? ":" + e.line : "");
      where.appendChild(code);
      overlay.appendChild(where);
    }

    var msg = document.createElement("pre");
    msg.textContent = e.message || "Unknown error";
    overlay.appendChild(msg);

    var hint = document.createElement("p");
    hint.textContent = "Fix the file and save: the page reloads by itself.";
    overlay.appendChild(hint);

    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () {
      dismissedError = shownError;
      removeOverlay();
      // The button is gone: give focus to the page's main content rather
      // than dropping it on <body>.
      var main = document.querySelector("main");
      if (main) {
        if (!main.hasAttribute("tabindex")) {
          main.setAttribute("tabindex", "-1");
        }
        main.focus();
      }
    });
    overlay.appendChild(close);

    overlay.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") {
        close.click();
      }
    });

    document.body.appendChild(overlay);
  }

  function handle(state) {
    var version = state && state.version != null ? String(state.version) : null;
    var error = state && state.error ? state.error : null;
    if (known === null && version !== null) {
      known = version;
    }
    if (error) {
      showOverlay(error);
      return;
    }
    if (shownError !== null || dismissedError !== null || (version !== null && version !== known)) {
      window.location.reload();
    }
  }

  function poll() {
    var failed = false;
    fetch(ENDPOINT, { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("HTTP " + r.status);
        }
        return r.json();
      })
      .then(handle)
      .catch(function () {
        failed = true; // server restarting or stopped: keep trying, slowly
      })
      .then(function () {
        setTimeout(poll, failed || document.hidden ? SLOW : FAST);
      });
  }

  poll();
})();
