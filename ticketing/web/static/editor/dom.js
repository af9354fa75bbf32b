// Small helpers on the page's elements: look one up, say something on the status line,
// fill a field without overwriting what is being typed, and read and check form fields.

import { t } from "./words.js";

export const $ = (id) => document.getElementById(id);

export function say(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.dataset.kind = kind || "info";
}

// Sets a field's value unless the house admin is typing in it.
export function setValue(id, value) {
  const input = $(id);
  if (document.activeElement !== input) input.value = value;
}

// The "×" of a remove button, hidden from screen readers (the button has a label).
export function cross() {
  const mark = document.createElement("span");
  mark.setAttribute("aria-hidden", "true");
  mark.textContent = "×";
  return mark;
}

export function svgNode(name, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

export function checkText(input, test, key, values) {
  const ok = test(input.value);
  if (ok) input.removeAttribute("aria-invalid");
  else input.setAttribute("aria-invalid", "true");
  return ok ? null : t(key, values);
}

// A whole number or decimal from a field within [min, max], or an error message.
export function readNumber(id, min, max, { integer = false } = {}) {
  const input = $(id);
  const raw = input.value.trim();
  const value = Number(raw);
  if (raw === "" || !Number.isFinite(value) || value < min || value > max
    || (integer && !Number.isInteger(value))) {
    input.setAttribute("aria-invalid", "true");
    return { error: t("err.number", { field: input.labels[0].textContent, min, max }) };
  }
  input.removeAttribute("aria-invalid");
  return { value };
}
