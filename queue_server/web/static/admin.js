/* Admin pages: the English toggle (the texts are in the page, .vi / .en), and the
 * opening-hours preview that says in words what the typed hours mean. */
"use strict";

I18n.setup({});

document.querySelectorAll("[data-hours-preview]").forEach((input) => {
  const out = document.getElementById(input.dataset.hoursPreview);
  let pending = null;
  input.addEventListener("input", () => {
    if (pending) pending.abort();
    pending = new AbortController();
    const url = `${input.dataset.previewUrl}?hours=${encodeURIComponent(input.value)}`;
    fetch(url, { signal: pending.signal, credentials: "same-origin" })
      .then((response) => response.json())
      .then((answer) => {
        out.querySelector(".vi").textContent = answer.vi;
        out.querySelector(".en").textContent = answer.en;
        out.classList.toggle("bad", !answer.ok);
      })
      .catch(() => {});
  });
});
