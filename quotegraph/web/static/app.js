// Statement details on hover and keyboard focus. The details come from a JSON block in the page
// (never executed); every value is written with textContent, so no text from an article becomes markup.
(function () {
  "use strict";
  var source = document.getElementById("statement-details");
  var panel = document.getElementById("details");
  if (!source || !panel) return;
  var details = JSON.parse(source.textContent);
  var list = panel.querySelector("dl");
  var hint = panel.querySelector(".hint");
  var current = null;

  function show(mark) {
    var d = details[mark.getAttribute("data-s")];
    if (!d) return;
    if (current) current.classList.remove("active");
    current = mark;
    mark.classList.add("active");
    list.hidden = false;
    hint.hidden = true;
    panel.classList.add("open");
    list.querySelector('[data-field="speaker"]').textContent = d.speaker;
    list.querySelector('[data-field="cue"]').textContent = d.cue || "none";
    list.querySelector('[data-field="kind"]').textContent = d.kind + (d.nested_in ? ", reported inside " + d.nested_in : "");
    list.querySelector('[data-field="said_on"]').textContent = d.said_on || "not known";
    list.querySelector('[data-field="relations"]').textContent = d.relations.length ? d.relations.join("; ") : "none";
    showClaim(list.querySelector('[data-field="claim"]'), d.claim);
  }

  // A stored article's statement links to its claim across articles; a pasted one has no claim row.
  function showClaim(field, claim) {
    if (!field) return;
    field.textContent = "";
    if (!claim) { field.textContent = "none"; return; }
    var link = document.createElement("a");
    link.href = "/claims/" + Number(claim.id);
    link.textContent = "claim #" + claim.id + (claim.reports > 1 ? " · " + claim.reports + " reports in " +
                                                claim.documents + " articles" : "");
    field.appendChild(link);
  }

  function target(event) {
    var el = event.target;
    return el && el.closest ? el.closest("mark.st") : null;
  }

  panel.querySelector(".close").addEventListener("click", function () {
    panel.classList.remove("open");
    if (current) current.focus();
  });

  var text = document.getElementById("text");
  text.addEventListener("mouseover", function (e) { var m = target(e); if (m) show(m); });
  text.addEventListener("focusin", function (e) { var m = target(e); if (m) show(m); });
})();
