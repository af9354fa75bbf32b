// Podium's programme widget: paste into a house's own website (docs/widget.md).
//
//   <div data-podium-programme data-cluster="zender" data-lang="nl" data-limit="12"></div>
//   <script src="https://TICKETS.EXAMPLE/widget.js" async></script>
//
// Use data-house="SLUG" instead of data-cluster for one house. The list is drawn in the
// page itself (no iframe), with plain markup and a few `podium-` classes to restyle; a
// "Tickets" link opens the shop's seat picker for that performance.
(() => {
  "use strict";
  const script = document.currentScript;
  const base = script ? new URL(script.src).origin : location.origin;
  const TEXT = {
    nl: { tickets: "Tickets", last: "Laatste plaatsen", soldout: "Uitverkocht", none: "Geen voorstellingen gepland.", error: "Het programma kon niet geladen worden.", from: "vanaf" },
    fr: { tickets: "Billets", last: "Dernières places", soldout: "Complet", none: "Aucun spectacle prévu.", error: "Le programme n'a pas pu être chargé.", from: "à partir de" },
    en: { tickets: "Tickets", last: "Last places", soldout: "Sold out", none: "No performances planned.", error: "The programme could not be loaded.", from: "from" },
  };
  const LOCALE = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" };

  function element(name, attributes, text) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function draw(box) {
    const lang = TEXT[box.dataset.lang] ? box.dataset.lang : "nl";
    const words = TEXT[lang];
    const limit = Math.min(Number(box.dataset.limit) || 20, 200);
    const path = box.dataset.house
      ? `/public/houses/${encodeURIComponent(box.dataset.house)}/programme`
      : `/public/clusters/${encodeURIComponent(box.dataset.cluster || "")}/programme`;
    box.setAttribute("aria-busy", "true");
    let items;
    try {
      const response = await fetch(`${base}${path}?limit=${limit}`, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      items = await response.json();
    } catch {
      box.replaceChildren(element("p", { class: "podium-error", role: "alert" }, words.error));
      box.removeAttribute("aria-busy");
      return;
    }
    const when = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: "Europe/Brussels", weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    const euro = new Intl.NumberFormat(LOCALE[lang], { style: "currency", currency: "EUR" });
    const list = element("ul", { class: "podium-programme" });
    for (const item of items) {
      const title = item.title[lang] || item.title.nl;
      const li = element("li", { class: "podium-item", "data-performance": item.performance_id });
      li.append(element("h3", {}, title), element("p", { class: "podium-when" }, when.format(new Date(item.starts_at))),
        element("p", { class: "podium-where" }, `${item.house_name} · ${item.venue_name}, ${item.city}`));
      const soldOut = item.status === "sold_out" || item.places_left === 0;
      if (soldOut) li.append(element("span", { class: "podium-badge podium-soldout" }, words.soldout));
      else if (item.last_places) li.append(element("span", { class: "podium-badge podium-last" }, words.last));
      if (item.price_from_cents != null) li.append(element("span", {}, `${words.from} ${euro.format(item.price_from_cents / 100)}`));
      if (!soldOut) {
        const shop = `${base}/shop/events/${item.event_id}/performances/${item.performance_id}?lang=${lang}`;
        li.append(element("br"), element("a", { class: "podium-tickets", href: shop, "aria-label": `${words.tickets}: ${title}, ${when.format(new Date(item.starts_at))}` }, words.tickets));
      }
      list.append(li);
    }
    box.replaceChildren(items.length ? list : element("p", {}, words.none));
    box.removeAttribute("aria-busy");
    box.dataset.ready = "true";
  }

  function start() {
    // A stylesheet from the platform rather than a <style> element: pages with a Content
    // Security Policy (ours among them) refuse inline styles.
    if (!document.getElementById("podium-widget-style")) {
      document.head.append(element("link", { id: "podium-widget-style", rel: "stylesheet",
        href: `${base}/widget.css` }));
    }
    document.querySelectorAll("[data-podium-programme]").forEach(draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
