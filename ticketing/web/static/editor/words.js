// The editor's words (i18n.js holds them): t() with the "_one" form of a count, numbers and
// dates in the page's language, and the page's own texts translated in place.

// Podium.t, with a key's "_one" form when the count {n} is 1 ("1 stoel", not "1 stoelen").
export function t(key, values) {
  if (values && values.n === 1) {
    const one = Podium.t(`${key}_one`, values);
    if (one !== `${key}_one`) return one;
  }
  return Podium.t(key, values);
}

export const number = (value) => new Intl.NumberFormat(Podium.lang).format(value);

export const date = (iso) => Podium.when(iso, {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
});

// The page's own texts carry data-i18n (text), data-i18n-aria-label and data-i18n-title.
export function translatePage() {
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
  for (const node of document.querySelectorAll("[data-i18n-title]")) {
    node.setAttribute("title", t(node.dataset.i18nTitle));
  }
  document.title = `Podium · ${t("app.title")}`;
}
