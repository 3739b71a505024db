/* Follows a conference's changes (server-sent events) and brings the page up to date in place.

   The element carrying data-live-stream names the stream (with ?after=<the last change the page
   shows>) and one of two ways to update:
   - data-live-fragment + data-live-target (hall screen, live page): fetch the fragment and swap it
     into the target, without a flash, without moving focus or scroll; a polite status says so.
   - data-live-console (the session console): fetch the page again and swap its <main> in, unless
     someone is typing in a form on it: then only a banner offers to reload.
   The browser reconnects by itself after a dropped connection, sending the id of the last event it
   got, and the server sends what was missed. If the stream is closed for good (the server was down),
   a new one is opened a few seconds later from the last id seen. Without JavaScript the pages
   reload themselves (<noscript> refresh) or are reloaded by hand. */
(function () {
  "use strict";

  var root = document.querySelector("[data-live-stream]");
  if (!root || !window.EventSource || !window.fetch) {
    return;
  }
  var streamUrl = root.getAttribute("data-live-stream");
  var lastId = null;
  var source = null;
  var refreshing = false;
  var again = false;
  var timer = null;

  function statusTo(state) {
    var status = document.querySelector("[data-live-status]");
    if (!status) {
      return;
    }
    status.setAttribute("data-state", state);
    var text = status.querySelector("[data-live-status-text]");
    if (text) {
      text.textContent = status.getAttribute("data-" + state) || "";
    }
  }

  function announce(message) {
    var region = document.querySelector("[data-live-announce]");
    if (region && message) {
      region.textContent = "";
      window.setTimeout(function () { region.textContent = message; }, 50);
    }
  }

  function fresh(url) {
    return fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (response.redirected) {
          // Signed out meanwhile (the console): show the sign-in page itself, not its main part.
          window.location.reload();
          throw new Error("redirected");
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      });
  }

  function swapFragment() {
    var target = document.getElementById(root.getAttribute("data-live-target"));
    return fresh(root.getAttribute("data-live-fragment")).then(function (html) {
      if (target && target.innerHTML !== html) {
        target.innerHTML = html;
        announce(root.getAttribute("data-live-updated"));
      }
    });
  }

  /* A field whose value differs from the one the page was served with: someone is typing. */
  function typing(container) {
    var fields = container.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
        continue;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) {
          return true;
        }
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) {
            return true;
          }
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function swapConsole() {
    var main = document.querySelector("main");
    if (!main) {
      return Promise.resolve();
    }
    if (typing(main)) {
      var banner = document.querySelector("[data-live-banner]");
      var words = document.querySelector("[data-live-banner-text]");
      if (banner && words && !banner.hasChildNodes()) {
        banner.appendChild(words.content.cloneNode(true));
      }
      return Promise.resolve();
    }
    var address = new URL(window.location.href);
    address.searchParams.delete("saved");  // "Saved." was this user's, when the page was loaded: not news now
    address.hash = "";
    return fresh(address.toString()).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var next = page.querySelector("main");
      if (!next || typing(main)) {
        return;
      }
      var focused = document.activeElement && document.activeElement.id;
      var x = window.scrollX;
      var y = window.scrollY;
      main.innerHTML = next.innerHTML;
      window.scrollTo(x, y);
      var refocus = focused && document.getElementById(focused);
      if (refocus && refocus.focus) {
        refocus.focus({preventScroll: true});
      }
      statusTo(source && source.readyState === EventSource.OPEN ? "connected" : "reconnecting");
    });
  }

  function refresh() {
    if (refreshing) {
      again = true;  // one more once this one is done: never two fetches at once, never a change missed
      return;
    }
    refreshing = true;
    var swap = root.hasAttribute("data-live-console") ? swapConsole : swapFragment;
    swap().catch(function () { /* the next change, or the reconnection, brings it */ }).then(function () {
      refreshing = false;
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  function connect() {
    var url = streamUrl;
    if (lastId !== null) {
      url = url.replace(/([?&])after=[^&]*/, "$1after=" + encodeURIComponent(lastId));
    }
    source = new EventSource(url);
    source.addEventListener("open", function () { statusTo("connected"); });
    source.addEventListener("change", function (event) {
      if (event.lastEventId) {
        lastId = event.lastEventId;
      }
      // Changes come in bursts (one entry writes several): one refresh for a burst.
      if (timer === null) {
        timer = window.setTimeout(function () { timer = null; refresh(); }, 80);
      }
    });
    source.addEventListener("error", function () {
      statusTo("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(connect, 5000);
      }
    });
  }

  statusTo("reconnecting");
  connect();
  window.__liveLoadedAt = window.__liveLoadedAt || Date.now();  // a page not reloaded keeps it (tests look)
}());
