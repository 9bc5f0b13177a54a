/* Pages whose words come with the page (landing, errors): the server puts {key: [vi, en]}
 * in #page-words, so the toggle works without a dictionary of its own here. */
"use strict";

I18n.setup({ brand: ["Bộ phận Một cửa", "One-stop service centre"], ...JSON.parse(document.getElementById("page-words").textContent) });
