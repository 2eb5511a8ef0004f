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

/* Where JavaScript runs, an answer's draft saves itself a few seconds after the person stops
   typing; files are attached by "Save draft", which does everything without JavaScript. A
   conflict or a refusal stops autosaving and says why. A click on a button while a save is on
   its way waits for it, so the click never meets a stale version. */
(function () {
  var form = document.querySelector("form.answer-form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var lock = form.querySelector("input[name=lock_version]");
  var timer = null, dirty = false, busy = false, stopped = false, waiting = null;

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(send, Number(form.dataset.autosave));
  }
  function finish() {
    busy = false;
    if (waiting) {
      var button = waiting;
      waiting = null;
      form.requestSubmit(button);
    } else if (dirty && !stopped) {
      schedule();
    }
  }
  function send() {
    timer = null;
    if (!dirty || busy || stopped) return;
    busy = true;
    dirty = false;
    var data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach(function (f) { data.delete(f.name); });
    data.set("action", "autosave");
    // getAttribute: the form's buttons are named "action", which hides form.action
    fetch(form.getAttribute("action"),
          {method: "POST", body: data, credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (body) {
          if (body.lock_version !== undefined) lock.value = body.lock_version;
          if (body.message) status.textContent = body.message;
          if (!response.ok) { stopped = true; status.classList.add("errors"); }
        });
      })
      .catch(function () { dirty = true; })
      .then(finish);
  }
  function changed(event) {
    if (event.target.type === "file" || stopped) return;
    dirty = true;
    schedule();
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (busy) { event.preventDefault(); waiting = event.submitter; return; }
    stopped = true;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) send();
  });
})();

/* An expert chosen from the mission's roster fills the row at once where JavaScript runs (the
   "Fill in" button does the same through the server without it); the details stay editable. */
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-roster-for]")) return;
  var option = select.options[select.selectedIndex];
  if (!option || !option.dataset.expert) return;
  var expert = JSON.parse(option.dataset.expert);
  var row = select.dataset.rosterFor;
  Object.keys(expert).forEach(function (name) {
    var input = document.getElementById(row + "-" + name);
    if (input) {
      input.value = expert[name];
      input.dispatchEvent(new Event("input", {bubbles: true}));
    }
  });
});
