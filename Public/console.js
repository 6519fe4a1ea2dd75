// The console's few scripts, each an enhancement: every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Filter a long select (the category tree) as the agent types.
  document.querySelectorAll("input.filter[data-filters]").forEach(function (input) {
    var select = document.getElementById(input.dataset.filters);
    if (!select) return;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (o) { o.hidden = q !== "" && o.text.toLowerCase().indexOf(q) < 0; });
    });
  });

  // Intake: show only the inputs of the chosen disposition.
  var form = document.getElementById("intake");
  if (form) {
    var showWhen = function () {
      var chosen = (form.querySelector("input[name=disposition]:checked") || {}).value;
      form.querySelectorAll(".when").forEach(function (d) { d.classList.toggle("shown", d.dataset.when.split(" ").indexOf(chosen) >= 0); });
    };
    form.addEventListener("change", function (e) { if (e.target.name === "disposition") showWhen(); });
    showWhen();

    // Caller history on a phone number (R-IN-4) and possible duplicates while typing (R-IN-3).
    var load = function (id, params) {
      var box = document.getElementById(id);
      fetch(box.dataset.src + "?" + new URLSearchParams(params), { credentials: "same-origin" })
        .then(function (r) { return r.ok && !r.redirected ? r.text() : ""; })
        .then(function (html) { if (html) box.innerHTML = html; });
    };
    var timer;
    var refresh = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var v = function (n) { var el = form.elements[n]; return el ? el.value : ""; };
        if (v("citizenPhone").length >= 5) load("history", { phone: v("citizenPhone") });
        load("similar", { phone: v("citizenPhone"), categoryCode: v("categoryCode"), address: v("address"), text: v("title") });
      }, 400);
    };
    // Notices for the place (R-IN-5): when the district or street is chosen, and at once.
    var notices = function () { load("notices", { divisionCode: (form.elements.divisionCode || {}).value || "" }); };
    if (form.elements.divisionCode) form.elements.divisionCode.addEventListener("change", notices);
    notices();
    ["citizenPhone", "categoryCode", "address", "title"].forEach(function (n) {
      var el = form.elements[n];
      if (el) { el.addEventListener("input", refresh); el.addEventListener("change", refresh); }
    });
    // One click: merge into, or link to, the earlier order chosen (R-IN-3).
    var pick = function (e) {
      var b = e.target.closest(".pick-target");
      if (!b) return;
      form.elements.targetId.value = b.dataset.target;
      document.getElementById("targetNumber").textContent = b.dataset.number;
      form.querySelector("input[name=disposition][value=" + b.dataset.disposition + "]").checked = true;
      showWhen();
    };
    document.getElementById("similar").addEventListener("click", pick);
    document.getElementById("history").addEventListener("click", pick);
  }

  // Call events (R-IN-4): a call ringing at the agent's extension shows at once, with the
  // caller's earlier orders; on the intake page an empty form takes the call's number and id.
  var call = document.getElementById("call");
  if (call && window.EventSource) {
    var shown = {};
    var source = new EventSource(call.dataset.stream);
    call.querySelector(".call-close").addEventListener("click", function () { call.hidden = true; });
    source.addEventListener("call", function (e) {
      var c = JSON.parse(e.data);
      var sig = [c.state, c.missed, c.hasRecording].join("|");
      if (shown[c.callId] === sig) return;
      var first = !(c.callId in shown);
      shown[c.callId] = sig;
      // A call already over when this page first hears of it belongs to an earlier page.
      if (first && c.state === "ended") return;
      call.dataset.callId = c.callId;
      call.dataset.state = c.missed ? "missed" : c.state;
      call.querySelector(".call-title").textContent = call.dataset["t" + (c.missed ? "Missed" : c.state.charAt(0).toUpperCase() + c.state.slice(1))] + " " + c.callerNumber;
      call.querySelector(".call-intake").href = "/intake?" + new URLSearchParams({ callId: c.callId, phone: c.callerNumber });
      if (first) {
        call.hidden = false;
        call.querySelector(".call-past").hidden = false;
        call.querySelector(".call-intake").hidden = false;
        var box = call.querySelector(".call-history");
        box.innerHTML = "";
        fetch(call.dataset.history + "?" + new URLSearchParams({ phone: c.callerNumber }), { credentials: "same-origin" })
          .then(function (r) { return r.ok && !r.redirected ? r.text() : ""; })
          .then(function (html) { if (html) box.innerHTML = html; });
      }
      if (form && form.elements.callId && (form.elements.callId.value === c.callId || (!form.elements.callId.value && !form.elements.citizenPhone.value))) {
        form.elements.callId.value = c.callId;
        form.elements.citizenPhone.value = c.callerNumber;
        form.elements.citizenPhone.dispatchEvent(new Event("input"));
        // On the intake page the form already takes this call, and its own panel shows the history.
        call.querySelector(".call-past").hidden = true;
        call.querySelector(".call-intake").hidden = true;
      }
    });
  }

  // Dispatch: a suggested unit fills the lead.
  document.querySelectorAll(".suggest[data-unit]").forEach(function (b) {
    b.addEventListener("click", function () { var s = document.getElementById("leadUnitId"); if (s) s.value = b.dataset.unit; });
  });
})();
