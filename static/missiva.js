/* Missiva works without JavaScript; where it runs, this only helps.
   A document larger than its slot allows is refused as soon as it is chosen, next to its field,
   and taken off the form, so saving still keeps everything typed on the page. */
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
  var file = input.files && input.files[0];
  var note = document.getElementById(input.id + "-size");
  if (file && file.size > Number(input.dataset.maxBytes)) {
    if (!note) {
      note = document.createElement("p");
      note.id = input.id + "-size";
      note.className = "errors";
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", note);
    }
    note.textContent = input.dataset.tooLarge;
    input.value = "";
    input.setAttribute("aria-invalid", "true");
  } else if (note) {
    note.remove();
    input.removeAttribute("aria-invalid");
  }
});

/* A page that comes back with problems puts its summary in focus, so a screen reader reads it
   and a keyboard user starts there; each problem in it links to its field. */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});

/* The call builder marks, as you type, each language a text has no entry in yet. */
document.addEventListener("input", function (event) {
  var group = event.target.closest && event.target.closest("fieldset.translated");
  if (!group) return;
  var fields = Array.prototype.slice.call(group.querySelectorAll("input[lang], textarea[lang]"));
  var any = fields.some(function (f) { return f.value.trim() !== ""; });
  fields.forEach(function (f) {
    var badge = f.labels && f.labels[0] && f.labels[0].querySelector(".badge.missing");
    if (badge) badge.hidden = !any || f.value.trim() !== "";
  });
});
