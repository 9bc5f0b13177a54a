/* Vietnamese first, English on request: elements carry data-i18n="key" and each
 * page gives a dictionary {key: [vi, en]}. The choice is remembered per browser. */
"use strict";

const I18n = {
  lang: localStorage.getItem("motcua.lang") === "en" ? "en" : "vi",
  words: {},

  setup(words) {
    this.words = { ...this.words, ...words };
    document.querySelectorAll("[data-lang-toggle]").forEach((button) => {
      button.addEventListener("click", () => this.use(this.lang === "vi" ? "en" : "vi"));
    });
    this.use(this.lang);
  },

  /* Add a page part's words (a script loaded before the page's own setup). */
  extend(words) {
    Object.assign(this.words, words);
  },

  t(key, values = {}) {
    const pair = this.words[key];
    let text = pair ? pair[this.lang === "en" ? 1 : 0] : key;
    for (const [name, value] of Object.entries(values)) text = text.replace(`{${name}}`, value);
    return text;
  },

  /* Pick the language's field of an API object, e.g. name_vi / name_en. */
  field(object, name) {
    if (!object) return "";
    return (this.lang === "en" && object[name + "_en"]) || object[name + "_vi"] || "";
  },

  use(lang) {
    this.lang = lang;
    localStorage.setItem("motcua.lang", lang);
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((element) => {
      element.textContent = this.t(element.dataset.i18n);
    });
    document.querySelectorAll("[data-lang-toggle]").forEach((button) => {
      button.textContent = lang === "vi" ? "English" : "Tiếng Việt";
    });
    document.dispatchEvent(new CustomEvent("langchange"));
  },
};
