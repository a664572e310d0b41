// The review page's one script (served from this origin; the page's CSP
// allows no other). Decisions are POSTed as JSON with the operator's token
// in an Authorization header, which a cross-site form cannot send.
"use strict";

(function () {
  const tokenInput = document.getElementById("token");
  const status = document.getElementById("status");
  const key = "llmref-review-token";

  if (tokenInput) {
    tokenInput.value = sessionStorage.getItem(key) || "";
    tokenInput.addEventListener("input", () => sessionStorage.setItem(key, tokenInput.value));
    document.getElementById("auth").addEventListener("submit", (e) => e.preventDefault());
  }

  function say(msg, ok) {
    status.textContent = msg;
    status.className = ok ? "ok" : "bad";
  }

  async function decide(button) {
    const id = Number(button.dataset.hold);
    const action = button.dataset.action;
    const row = document.getElementById("hold-" + id);
    const noteInput = row.querySelector(".note");
    const note = noteInput.value.trim();
    const token = tokenInput ? tokenInput.value.trim() : "";
    if (!token) {
      say("Enter the operator token first.", false);
      tokenInput && tokenInput.focus();
      return;
    }
    if (!note) {
      // The server refuses a decision without a note, as the CLI does.
      noteInput.classList.add("missing");
      say("Hold " + id + ": write a note saying why before you " + action + ".", false);
      noteInput.focus();
      return;
    }
    noteInput.classList.remove("missing");
    row.querySelectorAll("button").forEach((b) => (b.disabled = true));
    let body;
    try {
      const resp = await fetch("/review/" + action, {
        method: "POST",
        credentials: "omit",
        headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
        body: JSON.stringify({ ids: [id], note: note }),
      });
      body = await resp.json().catch(() => ({ error: resp.statusText }));
      if (!resp.ok) {
        throw new Error(body.error || resp.statusText);
      }
    } catch (err) {
      row.querySelectorAll("button").forEach((b) => (b.disabled = false));
      say("Hold " + id + ": " + err.message, false);
      return;
    }
    const done = action === "approve" ? "approved" : "rejected";
    row.classList.add(done);
    let msg = "Hold " + id + " " + done + ".";
    if (body.export) {
      msg += " Export republished (" + body.export.written + " files written).";
    } else if (body.error) {
      msg += " " + body.error;
    }
    row.querySelector(".outcome").textContent = done;
    say(msg, true);
  }

  document.querySelectorAll("button[data-action]").forEach((b) =>
    b.addEventListener("click", () => decide(b)));
})();
