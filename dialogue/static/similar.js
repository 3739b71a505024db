/* The questions already asked that look like the one being typed: as the resident types the title
   and text of the ask form, the list above the form is fetched again (the same lookup as the
   organisers' hint, /conferences/<id>/asked-like). Without JavaScript the search box and the
   form's "Look for questions like mine" button do the same by a request. */
(function () {
  "use strict";

  var results = document.getElementById("asked-like-results");
  var title = document.getElementById("title");
  var body = document.getElementById("body");
  if (!results || !title || !body || !window.fetch) {
    return;
  }
  var source = results.getAttribute("data-source");
  var pause = null;
  var last = "";

  function look() {
    var typedTitle = title.value.trim();
    var typedText = body.value.trim().slice(0, 2000);
    if (typedTitle.length < 10 && typedText.length < 30) {
      return;
    }
    var query = "?title=" + encodeURIComponent(typedTitle.slice(0, 300)) + "&text=" + encodeURIComponent(typedText);
    if (query === last) {
      return;
    }
    last = query;
    fetch(source + query, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && query === last) {
          results.innerHTML = html;
        }
      })
      .catch(function () { /* the list stays as it was: the form works without it */ });
  }

  function later() {
    clearTimeout(pause);
    pause = setTimeout(look, 800);
  }

  title.addEventListener("input", later);
  body.addEventListener("input", later);
})();
