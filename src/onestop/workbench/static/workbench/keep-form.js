// 上门服务: a form typed on a tablet survives a lost connection (docs/agents.md).
//   <form data-keep="KEY">   every change is kept in this browser's localStorage under KEY;
//     data-keep-restore      (the form as first served, not re-rendered after a POST) the
//                            kept values are put back on load;
//     [data-keep-status]     tells the agent when the connection is lost, that the form is
//                            kept, and when it is back;
//   submitting while offline is held (the typed form stays on the page and in storage);
//   a submission sent notes KEY in sessionStorage: the next page of this tab that does not
//   show the same form again (the service refused it: it comes back with the errors) is
//   the page after success, and the kept copy is removed there.
// Kept copies older than 12 hours are dropped (the applicant link on the page expires then).
// Files cannot be kept: a scan is chosen again after a reload.
(function () {
  "use strict";

  var PREFIX = "onestop-keep:";
  var MAX_AGE_MS = 12 * 3600 * 1000;
  // Hidden fields that come from the server (the applicant link, the CSRF token, the
  // package and situation answers) are never overwritten; the idempotency key is kept so a
  // submission retried after a reload is the same submission.
  var SKIP = /^(csrfmiddlewaretoken|a|package|answered|q_.*)$/;

  function store() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP.test(el.name) && el.type !== "file" && el.type !== "submit";
    });
  }

  function save(form) {
    var s = store();
    if (!s) {
      return;
    }
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        values[el.name + "\u0000" + el.value] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    try {
      s.setItem(PREFIX + form.dataset.keep, JSON.stringify({ at: Date.now(), values: values }));
    } catch (e) {
      /* storage full or refused: the form still works, only not kept */
    }
  }

  function load(key) {
    var s = store();
    if (!s) {
      return null;
    }
    try {
      var kept = JSON.parse(s.getItem(PREFIX + key) || "null");
      if (kept && Date.now() - kept.at < MAX_AGE_MS) {
        return kept.values;
      }
      s.removeItem(PREFIX + key);
    } catch (e) {
      s.removeItem(PREFIX + key);
    }
    return null;
  }

  function restore(form) {
    var values = load(form.dataset.keep);
    if (!values) {
      return false;
    }
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var k = el.name + "\u0000" + el.value;
        if (k in values) {
          el.checked = values[k];
        }
      } else if (el.name in values) {
        el.value = values[el.name];
      }
    });
    return true;
  }

  function say(form, which) {
    var box = form.querySelector("[data-keep-status]");
    if (!box) {
      return;
    }
    box.textContent = box.getAttribute("data-" + which) || "";
    box.hidden = false;
    box.classList.toggle("msg-error", which === "offline" || which === "held");
    box.classList.toggle("msg-success", which === "online");
    box.setAttribute("data-state", which);
    if (which === "held") {
      box.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  function sweep() {
    var s = store();
    if (!s) {
      return;
    }
    var sent = null;
    try {
      sent = window.sessionStorage.getItem(PREFIX + "sent");
      window.sessionStorage.removeItem(PREFIX + "sent");
    } catch (e) {
      sent = null;
    }
    if (sent) {
      var again = Array.prototype.some.call(
        document.querySelectorAll("form[data-keep]"),
        function (form) {
          return form.dataset.keep === sent;
        }
      );
      if (!again) {
        s.removeItem(PREFIX + sent);
      }
    }
    for (var i = s.length - 1; i >= 0; i--) {
      var name = s.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        load(name.slice(PREFIX.length)); // drops it when too old
      }
    }
  }

  function init() {
    sweep();
    document.querySelectorAll("form[data-keep]").forEach(function (form) {
      if (form.hasAttribute("data-keep-restore") && restore(form)) {
        say(form, "restored");
      }
      if (!navigator.onLine) {
        say(form, "offline");
      }
      form.addEventListener("input", function () {
        save(form);
      });
      form.addEventListener("change", function () {
        save(form);
      });
      window.addEventListener("offline", function () {
        save(form);
        say(form, "offline");
      });
      window.addEventListener("online", function () {
        say(form, "online");
      });
    });
  }

  // Capture phase: runs before onestop.js marks a data-once form as sent.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.dataset.keep) {
        return;
      }
      save(form);
      if (!navigator.onLine) {
        event.preventDefault();
        event.stopPropagation();
        say(form, "held");
        return;
      }
      try {
        window.sessionStorage.setItem(PREFIX + "sent", form.dataset.keep);
      } catch (e) {
        /* without sessionStorage the copy simply ages out */
      }
    },
    true
  );

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
