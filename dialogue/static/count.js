/* A live character count for the fields that carry data-count-max (the question's title and text).
   The fields have no maxlength, which would cut pasted text without a word: the count says how much
   is left or how much too much, and the server refuses a text that is too long, keeping it.
   Characters are counted as the server counts them: after tidying spaces (dialogue/core/text.py). */
(function () {
  "use strict";

  function tidied(field) {
    var text = field.value.normalize ? field.value.normalize("NFC") : field.value;
    if (field.tagName === "TEXTAREA") {
      var lines = text.replace(/\r\n?/g, "\n").split("\n").map(function (line) {
        return line.replace(/\s+/g, " ").trim();
      });
      return lines.join("\n").replace(/\n{3,}/g, "\n\n").trim();
    }
    return text.replace(/\s+/g, " ").trim();
  }

  function attach(field) {
    var max = parseInt(field.getAttribute("data-count-max"), 10);
    var shown = document.getElementById(field.id + "-count");
    var spoken = document.getElementById(field.id + "-count-status");
    if (!max || !shown || !spoken) {
      return;
    }
    var pause = null;
    var describedBy = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    describedBy.push(shown.id);
    field.setAttribute("aria-describedby", describedBy.join(" "));

    function message() {
      var length = Array.from(tidied(field)).length;
      var over = length > max;
      var template = shown.getAttribute(over ? "data-over" : "data-left");
      return {text: template.replace("{n}", String(over ? length - max : max - length)), over: over};
    }

    function update() {
      var now = message();
      shown.textContent = now.text;
      shown.classList.toggle("field__count--over", now.over);
      // Screen readers hear the count once typing pauses, not at every key.
      clearTimeout(pause);
      pause = setTimeout(function () { spoken.textContent = message().text; }, 1000);
    }

    shown.hidden = false;
    shown.textContent = message().text;
    shown.classList.toggle("field__count--over", message().over);
    field.addEventListener("input", update);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-count-max]"), attach);
}());
