// The window evaluator: poll the small state endpoint, light up for the case just handed
// out, send one tap (a good level at once; a 差评 after its content items are chosen).
(function () {
  const root = document.getElementById("evaluator");
  if (!root) return;
  const form = document.getElementById("lit");
  const idle = document.getElementById("idle");
  const thanks = document.getElementById("thanks");
  const error = document.getElementById("error");
  const title = document.getElementById("case-title");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  let caseId = null;

  function show(state) {
    const lit = state.lit && state.case;
    if (lit && state.case.id !== caseId) {
      caseId = state.case.id;
      title.textContent = state.case.title;
      form.reset();
      error.hidden = true;
      thanks.hidden = true;
    }
    if (!lit) caseId = null;
    form.hidden = !lit;
    idle.hidden = !!lit || !thanks.hidden;
  }

  async function poll() {
    try {
      const response = await fetch(root.dataset.state, { cache: "no-store" });
      if (response.ok) show(await response.json());
    } catch (e) { /* offline for a moment: try again */ }
  }

  async function send() {
    const body = new FormData(form);
    const response = await fetch(root.dataset.rate, {
      method: "POST", body, headers: { "X-CSRFToken": csrf },
    });
    const data = await response.json();
    if (response.ok) {
      form.hidden = true;
      thanks.textContent = data.message;
      thanks.hidden = false;
      caseId = null;
      setTimeout(function () { thanks.hidden = true; idle.hidden = false; }, 5000);
    } else {
      error.textContent = data.detail;
      error.hidden = false;
    }
  }

  form.addEventListener("change", function (event) {
    const input = event.target;
    if (input.name === "level" && !input.dataset.bad) send();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
  setInterval(poll, 2000);
  poll();
})();
