// What every page of Podium shares: the API client, problem+json answers, languages,
// money and times in Brussels. No framework and nothing from a CDN.
"use strict";

/* exported Podium */
const Podium = (() => {
  const LANGS = ["nl", "fr", "en"];
  const LOCALES = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" };
  const TZ = "Europe/Brussels";
  const dictionaries = {};

  function language() {
    const asked = new URLSearchParams(location.search).get("lang");
    if (asked && LANGS.includes(asked)) {
      localStorage.setItem("podium.lang", asked);
      return asked;
    }
    const kept = localStorage.getItem("podium.lang");
    return LANGS.includes(kept) ? kept : "nl";
  }

  let lang = language();
  document.documentElement.lang = lang;

  function words(dictionary) {
    for (const l of LANGS) dictionaries[l] = Object.assign(dictionaries[l] || {}, dictionary[l]);
  }

  // t("key", {n: 2}) — the text in the chosen language, Dutch when a word is missing.
  function t(key, values) {
    let text = (dictionaries[lang] || {})[key] ?? dictionaries.nl[key] ?? key;
    if (values) {
      for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, value);
    }
    return text;
  }

  function localized(map) {
    if (!map) return "";
    return map[lang] || map.nl || Object.values(map)[0] || "";
  }

  function setLanguage(next) {
    if (!LANGS.includes(next)) return;
    localStorage.setItem("podium.lang", next);
    lang = next;
    document.documentElement.lang = next;
    document.dispatchEvent(new CustomEvent("podium:language"));
  }

  // After a page has drawn itself again in the new language, the pressed language
  // button keeps the focus the click gave it.
  function focusLanguage() {
    const pressed = document.querySelector('.languages button[aria-pressed="true"]');
    if (pressed) pressed.focus();
  }

  function languageSwitch(container) {
    container.replaceChildren();
    const nav = el("nav", { class: "languages", "aria-label": t("common.language") });
    for (const l of LANGS) {
      const button = el("button", { type: "button", lang: l, "aria-pressed": String(l === lang) },
        l.toUpperCase());
      button.title = { nl: "Nederlands", fr: "Français", en: "English" }[l];
      button.addEventListener("click", () => setLanguage(l));
      nav.append(button);
    }
    container.append(nav);
  }

  const euros = () => new Intl.NumberFormat(LOCALES[lang], { style: "currency", currency: "EUR" });
  function money(cents) {
    return cents == null ? "" : euros().format(cents / 100);
  }

  function when(iso, options) {
    return new Intl.DateTimeFormat(LOCALES[lang], Object.assign({ timeZone: TZ }, options || {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    })).format(new Date(iso));
  }

  // The calendar day in Brussels, as YYYY-MM-DD, some days from today.
  function brusselsDay(offsetDays) {
    const date = new Date(Date.now() + (offsetDays || 0) * 86400000);
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric",
      month: "2-digit", day: "2-digit" }).formatToParts(date);
    const get = (type) => parts.find((p) => p.type === type).value;
    return `${get("year")}-${get("month")}-${get("day")}`;
  }

  // A wall-clock time typed in Brussels ("2026-12-24T18:00", as a datetime-local input
  // gives it) as an ISO moment in UTC, whatever the computer's own time zone.
  function fromBrussels(value) {
    const [day, time] = value.split("T");
    const [y, m, d] = day.split("-").map(Number);
    const [hh, mm] = time.split(":").map(Number);
    const wall = Date.UTC(y, m - 1, d, hh, mm);
    const offsetAt = (moment) => {
      const parts = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hourCycle: "h23",
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
        .formatToParts(new Date(moment));
      const get = (type) => Number(parts.find((p) => p.type === type).value);
      return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute")) - moment;
    };
    let moment = wall - offsetAt(wall);
    moment = wall - offsetAt(moment); // once more, for a time near a change of summer time
    return new Date(moment).toISOString();
  }

  // ---- dates typed the way the page's language writes them --------------------------------
  // The browser's own date fields show the computer's format (mm/dd/yyyy on an American
  // computer, whatever the page's language): a text field in the page's format instead.
  const DATE_HINTS = {
    nl: { day: "dd", month: "mm", year: "jjjj", time: "uu:mm" },
    fr: { day: "jj", month: "mm", year: "aaaa", time: "hh:mm" },
    en: { day: "dd", month: "mm", year: "yyyy", time: "hh:mm" },
  };

  // The order of day, month and year and the separator, as the language writes a date.
  function datePattern() {
    const parts = new Intl.DateTimeFormat(LOCALES[lang], { day: "2-digit", month: "2-digit", year: "numeric" })
      .formatToParts(new Date(Date.UTC(2026, 11, 24, 12)));
    const order = parts.filter((p) => ["day", "month", "year"].includes(p.type)).map((p) => p.type);
    const literal = parts.find((p) => p.type === "literal");
    return { order, separator: literal ? literal.value : "/" };
  }

  // "dd/mm/jjjj uu:mm": what to type, in the page's language.
  function dateHint(time) {
    const { order, separator } = datePattern();
    const words = DATE_HINTS[lang];
    return order.map((p) => words[p]).join(separator) + (time ? ` ${words.time}` : "");
  }

  const pad = (number) => String(number).padStart(2, "0");

  // "2026-12-24" or "2026-12-24T18:00" as the page's language writes it ("24/12/2026 18:00").
  function formatDate(iso) {
    if (!iso) return "";
    const [day, time] = String(iso).split("T");
    const [year, month, date] = day.split("-");
    const { order, separator } = datePattern();
    const values = { day: date, month, year };
    return order.map((p) => values[p]).join(separator) + (time ? ` ${time.slice(0, 5)}` : "");
  }

  // What was typed in the page's format as "2026-12-24" (or "2026-12-24T18:00" with a
  // time); "" when nothing was typed, null when it is no such date.
  function parseDate(text, time) {
    const value = String(text || "").trim();
    if (!value) return "";
    const m = value.match(/^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:[\sT,]+(\d{1,2})[:.hu](\d{2}))?$/i);
    if (!m || Boolean(time) !== (m[4] !== undefined)) return null;
    const got = {};
    datePattern().order.forEach((part, i) => { got[part] = Number(m[i + 1]); });
    if (got.year < 100) got.year += 2000;
    const check = new Date(Date.UTC(got.year, got.month - 1, got.day));
    if (got.year < 1000 || check.getUTCMonth() !== got.month - 1 || check.getUTCDate() !== got.day) return null;
    const day = `${got.year}-${pad(got.month)}-${pad(got.day)}`;
    if (!time) return day;
    const [hours, minutes] = [Number(m[4]), Number(m[5])];
    return hours > 23 || minutes > 59 ? null : `${day}T${pad(hours)}:${pad(minutes)}`;
  }

  // A text field for a date (options.time: and a time) in the page's format. Its `isoValue`
  // reads and writes "2026-12-24" / "2026-12-24T18:00", as a browser's date field would.
  function dateInput(attributes, options) {
    const time = Boolean(options && options.time);
    const input = el("input", Object.assign({ type: "text", autocomplete: "off", spellcheck: "false",
      placeholder: dateHint(time), "data-date": time ? "datetime" : "date" }, attributes));
    Object.defineProperty(input, "isoValue", {
      get() { return parseDate(input.value, time); },
      set(iso) { input.value = formatDate(iso); },
    });
    if (options && options.value) input.isoValue = options.value;
    return input;
  }

  function brusselsWeekday() {
    const name = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, weekday: "short" })
      .format(new Date());
    return ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(name);
  }

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || `HTTP ${status}`);
      this.status = status;
      this.problem = problem;
      this.slug = (problem.type || "").split("/").pop();
      this.fields = (problem.errors || []).map((e) => e.field);
    }
  }

  let bearer = null;
  function setToken(token) { bearer = token; }

  async function api(method, path, body, options) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    Object.assign(headers, (options && options.headers) || {});
    let response;
    try {
      response = await fetch(path, { method, headers,
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, { title: t("common.offline"), detail: t("common.offline") });
    }
    if (response.status === 204) return null;
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json() : await response.text();
    if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : {});
    return data;
  }

  // The message to show for a refused request: ours for the answers we know, in the
  // chosen language, else the server's own (English) detail.
  function explain(error) {
    if (!(error instanceof ApiError)) return String(error.message || error);
    const key = `problem.${error.slug}`;
    const known = t(key);
    const detail = known !== key ? known : error.message;
    const fields = (error.problem.errors || []).map((e) => `${e.field}: ${e.message}`);
    return fields.length && known === key ? `${detail} (${fields.join("; ")})` : detail;
  }

  const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href"]);

  // An element with its attributes and children. Children are text unless they are nodes:
  // what staff or buyers typed is never read as markup.
  function el(name, attributes, ...children) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      // Styles through the CSSOM: the pages' Content Security Policy refuses style
      // attributes written as text.
      else if (key === "style") Object.assign(node.style, value);
      // A link to a script is never followed: an address typed by staff stays an address.
      else if (URL_ATTRIBUTES.has(key) && /^\s*(javascript|data|vbscript):/i.test(String(value))) continue;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Replace a node's children; empty choices (null, false) are left out, where the DOM's
  // own replaceChildren would write them as text.
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return node;
  }

  function announce(region, text, kind) {
    region.textContent = text;
    region.className = kind ? `notice ${kind}` : "notice";
    region.hidden = !text;
  }

  words({
    nl: {
      "common.language": "Taal",
      "common.offline": "Geen verbinding met de server. Probeer het opnieuw.",
      "problem.seats-taken": "Die plaats is net door iemand anders genomen.",
      "problem.sold-out": "Uitverkocht: er zijn niet genoeg plaatsen meer.",
      "problem.sale-closed": "Deze voorstelling is nu niet te koop.",
      "problem.hold-expired": "Je mandje is verlopen; de plaatsen zijn terug vrij.",
      "problem.not-found": "Niet gevonden.",
      "problem.unauthorized": "Je bent niet (meer) aangemeld.",
    },
    fr: {
      "common.language": "Langue",
      "common.offline": "Pas de connexion avec le serveur. Réessayez.",
      "problem.seats-taken": "Cette place vient d'être prise par quelqu'un d'autre.",
      "problem.sold-out": "Complet : il ne reste plus assez de places.",
      "problem.sale-closed": "Ce spectacle n'est pas en vente maintenant.",
      "problem.hold-expired": "Votre panier a expiré ; les places sont à nouveau libres.",
      "problem.not-found": "Introuvable.",
      "problem.unauthorized": "Vous n'êtes pas (plus) connecté.",
    },
    en: {
      "common.language": "Language",
      "common.offline": "No connection with the server. Please try again.",
      "problem.seats-taken": "Someone else just took that seat.",
      "problem.sold-out": "Sold out: there are not enough places left.",
      "problem.sale-closed": "This performance is not on sale now.",
      "problem.hold-expired": "Your basket expired; its places are free again.",
      "problem.not-found": "Not found.",
      "problem.unauthorized": "You are not (or no longer) logged in.",
    },
  });

  return {
    LANGS, api, ApiError, explain, el, fill, announce, t, words, localized, money, when,
    brusselsDay, brusselsWeekday, fromBrussels, dateInput, dateHint, formatDate, parseDate, setToken, setLanguage, languageSwitch, focusLanguage,
    get lang() { return lang; },
  };
})();
