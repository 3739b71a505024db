/* The ask form's "How would you like to hear about your question?": only the ways the asker gave a
   contact for are offered (e-mail with an address, SMS and Zalo with a phone number), updated as they
   type. A choice hidden this way is cleared. While no contact is given the question itself is hidden:
   "No messages" alone is not a choice, and the form must stay short on a phone. Without JavaScript
   every way offered is shown, and a choice without its contact comes back as a polite message from
   the server, with everything typed kept. */
(function () {
  "use strict";

  var group = document.getElementById("notify-by");
  if (!group) {
    return;
  }
  var choices = Array.prototype.slice.call(group.querySelectorAll("[data-needs]"));

  function update() {
    var offered = 0;
    choices.forEach(function (choice) {
      var field = document.getElementById(choice.getAttribute("data-needs"));
      var given = !field || field.value.trim() !== "";
      choice.hidden = !given;
      offered += given ? 1 : 0;
      var input = choice.querySelector("input");
      if (!given && input.checked) {
        input.checked = false;
      }
    });
    // A message about this question (an error after a post) keeps it shown whatever was typed.
    group.hidden = offered === 0 && !group.classList.contains("field--error");
  }

  ["asker_email", "asker_phone"].forEach(function (name) {
    var field = document.getElementById(name);
    if (field) {
      field.addEventListener("input", update);
    }
  });
  update();
}());
