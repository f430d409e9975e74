// Progressive enhancement only: every page works without this file.
// 1. The wizard's live preview: placeholders in the preview follow what is typed.
// 2. Copy buttons for snippets.
(function () {
  "use strict";

  function livePreview(form) {
    var preview = document.querySelector(form.getAttribute("data-preview"));
    if (!preview) return;
    var spans = preview.querySelectorAll(".placeholder[data-field]");
    function update(input) {
      var name = input.getAttribute("data-field");
      // The same neutralising as the server: one line, single spaces, trimmed.
      var value = input.value.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, " ")
        .replace(/ {2,}/g, " ").trim();
      spans.forEach(function (span) {
        if (span.getAttribute("data-field") !== name) return;
        span.textContent = value || "[" + name.toUpperCase() + "]";
        span.classList.toggle("filled", value !== "");
      });
    }
    form.querySelectorAll("input[data-field]").forEach(function (input) {
      input.addEventListener("input", function () { update(input); });
      update(input);
    });
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      var label = button.firstChild.nodeValue;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent).then(function () {
          button.firstChild.nodeValue = "Copied";
          setTimeout(function () { button.firstChild.nodeValue = label; }, 2000);
        });
      });
    });
  }

  // The LICENSE checker: a one-line verdict as one types (POST /check.json), the full result on submit.
  function liveCheck(form) {
    var output = document.querySelector(form.getAttribute("data-live-check"));
    var text = form.querySelector("textarea[data-live-check]");
    if (!output || !text || !window.fetch) return;
    var timer = null, asked = 0;
    text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++asked;
        if (!text.value.trim()) { output.textContent = ""; return; }
        fetch(form.getAttribute("action").replace(/\/$/, ".json"), {
          method: "POST", body: text.value, headers: {"Content-Type": "text/plain; charset=utf-8"}, credentials: "omit"
        }).then(function (response) { return response.json(); }).then(function (data) {
          if (mine === asked) output.textContent = data.message || data.error || "";
        }).catch(function () {});
      }, 400);
    });
  }

  document.querySelectorAll("form[data-preview]").forEach(livePreview);
  document.querySelectorAll("form[data-live-check]").forEach(liveCheck);
  copyButtons();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
