// Door devices: register a phone or hand-held scanner for some performances and gates (its
// token is shown once, with the link that couples the scanner page), list them, revoke one.
"use strict";

(() => {
  const { el, t, words, localized } = Podium;
  const A = Admin;
  let created = null; // the device just registered: its token is shown once, on the next draw

  words({
    nl: {
      "devices.title": "Deurtoestellen", "devices.none": "Nog geen toestellen.", "devices.list": "Toestellen",
      "devices.name": "Naam", "devices.gates": "Ingangen", "devices.performances": "Voorstellingen",
      "devices.made": "Geregistreerd", "devices.state": "Toestand", "devices.active": "Actief",
      "devices.revoked": "Ingetrokken {when}", "devices.revoke": "Intrekken", "devices.revoke_label": "Toestel {name} intrekken",
      "devices.confirm": "{name} intrekken? Het toestel kan daarna niet meer scannen.", "devices.revoked_ok": "Toestel ingetrokken.",
      "devices.new": "Toestel registreren", "devices.register": "Toestel registreren",
      "devices.gates_hint": "Gescheiden door komma's, bijvoorbeeld: hoofdingang, zijingang.",
      "devices.pick": "Voor welke voorstellingen?", "devices.no_performances": "Geen komende voorstellingen.",
      "devices.token_title": "Token van {name}", "devices.token": "Token",
      "devices.once": "Je ziet dit token maar één keer. Open de link op het toestel zelf: de scanner onthoudt het.",
      "devices.link": "Link voor het toestel", "devices.open": "Scanner op dit toestel openen",
      "devices.copy": "Link kopiëren", "devices.copied": "Link gekopieerd.", "devices.registered": "Toestel geregistreerd.",
      "devices.count": "{n} voorstellingen",
    },
    fr: {
      "devices.title": "Appareils de contrôle", "devices.none": "Pas encore d'appareils.", "devices.list": "Appareils",
      "devices.name": "Nom", "devices.gates": "Entrées", "devices.performances": "Représentations",
      "devices.made": "Enregistré", "devices.state": "État", "devices.active": "Actif",
      "devices.revoked": "Révoqué {when}", "devices.revoke": "Révoquer", "devices.revoke_label": "Révoquer l'appareil {name}",
      "devices.confirm": "Révoquer {name} ? L'appareil ne pourra plus scanner.", "devices.revoked_ok": "Appareil révoqué.",
      "devices.new": "Enregistrer un appareil", "devices.register": "Enregistrer l'appareil",
      "devices.gates_hint": "Séparées par des virgules, par exemple : entrée principale, entrée latérale.",
      "devices.pick": "Pour quelles représentations ?", "devices.no_performances": "Aucune représentation à venir.",
      "devices.token_title": "Jeton de {name}", "devices.token": "Jeton",
      "devices.once": "Ce jeton n'est montré qu'une fois. Ouvrez le lien sur l'appareil même : le scanner le retient.",
      "devices.link": "Lien pour l'appareil", "devices.open": "Ouvrir le scanner sur cet appareil",
      "devices.copy": "Copier le lien", "devices.copied": "Lien copié.", "devices.registered": "Appareil enregistré.",
      "devices.count": "{n} représentations",
    },
    en: {
      "devices.title": "Door devices", "devices.none": "No devices yet.", "devices.list": "Devices",
      "devices.name": "Name", "devices.gates": "Gates", "devices.performances": "Performances",
      "devices.made": "Registered", "devices.state": "State", "devices.active": "Active",
      "devices.revoked": "Revoked {when}", "devices.revoke": "Revoke", "devices.revoke_label": "Revoke device {name}",
      "devices.confirm": "Revoke {name}? The device cannot scan any more.", "devices.revoked_ok": "Device revoked.",
      "devices.new": "Register a device", "devices.register": "Register device",
      "devices.gates_hint": "Separated by commas, for example: main entrance, side entrance.",
      "devices.pick": "For which performances?", "devices.no_performances": "No upcoming performances.",
      "devices.token_title": "Token of {name}", "devices.token": "Token",
      "devices.once": "This token is shown once. Open the link on the device itself: the scanner keeps it.",
      "devices.link": "Link for the device", "devices.open": "Open the scanner on this device",
      "devices.copy": "Copy link", "devices.copied": "Link copied.", "devices.registered": "Device registered.",
      "devices.count": "{n} performances",
    },
  });

  // The house's performances, with their event's title (there is no list of performances
  // in the API: the events are read one by one).
  async function performances(house) {
    const events = await A.call("GET", `/events?house_id=${house.id}&limit=200`);
    const details = await Promise.all(events.filter((e) => e.status !== "archived")
      .map((e) => A.call("GET", `/events/${e.id}`)));
    const out = [];
    for (const event of details) {
      for (const perf of event.performances) out.push({ perf, title: localized(event.title) });
    }
    return out.sort((a, b) => a.perf.starts_at.localeCompare(b.perf.starts_at));
  }

  function tokenCard(device) {
    const link = `${location.origin}/scan#token=${encodeURIComponent(device.token)}`;
    const linkInput = A.input({ id: "device-link-text", value: link, readonly: true, spellcheck: "false" });
    return el("section", { class: "card token-card", id: "device-created", "aria-labelledby": "device-created-title" },
      el("h2", { id: "device-created-title", tabindex: "-1" }, t("devices.token_title", { name: device.name })),
      el("p", {}, t("devices.once")),
      A.field(t("devices.token"), A.input({ id: "device-token", value: device.token, readonly: true, spellcheck: "false" })),
      A.field(t("devices.link"), linkInput),
      el("div", { class: "row-flex" },
        el("a", { class: "button", id: "device-link", href: `/scan#token=${encodeURIComponent(device.token)}` }, t("devices.open")),
        el("button", { type: "button", class: "secondary", id: "device-copy", onclick: async () => {
          try { await navigator.clipboard.writeText(link); A.say(t("devices.copied")); }
          catch { linkInput.focus(); linkInput.select(); }
        } }, t("devices.copy"))));
  }

  async function devicesPage() {
    const house = A.state.house;
    const [devices, perfs] = await Promise.all([
      A.call("GET", `/houses/${house.id}/scanner-devices`), performances(house)]);
    const label = (p) => `${p.title} · ${A.longWhen(p.perf.starts_at)}`;
    const byId = Object.fromEntries(perfs.map((p) => [p.perf.id, p]));
    const rows = devices.map((d) => el("tr", { "data-device": d.name },
      el("td", {}, d.name), el("td", {}, d.gates.join(", ")),
      el("td", {}, el("details", {}, el("summary", {}, t("devices.count", { n: d.performance_ids.length })),
        el("ul", {}, d.performance_ids.map((id) => el("li", {}, byId[id] ? label(byId[id]) : id))))),
      el("td", {}, A.longWhen(d.created_at)),
      el("td", {}, d.revoked_at ? A.badge("inactive", t("devices.revoked", { when: A.longWhen(d.revoked_at) }))
        : A.badge("active", t("devices.active"))),
      el("td", {}, d.revoked_at ? null : A.action({ class: "danger small", "aria-label": t("devices.revoke_label", { name: d.name }) },
        t("devices.revoke"), async () => {
          if (!window.confirm(t("devices.confirm", { name: d.name }))) return;
          await A.call("POST", `/houses/${house.id}/scanner-devices/${d.id}/revoke`);
          await A.refresh(t("devices.revoked_ok"), "devices-list");
        }))));

    const now = Date.now();
    const upcoming = perfs.filter((p) => p.perf.status !== "cancelled" && Date.parse(p.perf.ends_at) > now);
    const name = A.input({ id: "device-name", autocomplete: "off", required: true, maxlength: "100" });
    const gates = A.input({ id: "device-gates", autocomplete: "off", value: "hoofdingang" });
    const choices = upcoming.map((p) => A.check(label(p), el("input", { type: "checkbox", value: p.perf.id,
      id: `device-perf-${p.perf.id}` })));
    const register = A.form({ id: "device-form", "aria-labelledby": "device-new" }, [
      el("div", { class: "form-grid" },
        A.field(t("devices.name"), name, { name: "name", required: true }),
        A.field(t("devices.gates"), gates, { name: "gates", hint: t("devices.gates_hint") })),
      A.group(t("devices.pick"), choices.length ? el("div", { class: "checks scroll" }, choices)
        : el("p", { class: "muted" }, t("devices.no_performances")), { id: "device-performances", name: "performance_ids", wide: true }),
    ], t("devices.register"), async (form) => {
      const ids = [...form.querySelectorAll("#device-performances input:checked")].map((box) => box.value);
      const gateList = gates.value.split(",").map((g) => g.trim()).filter(Boolean);
      const device = await A.call("POST", `/houses/${house.id}/scanner-devices`, {
        name: name.value.trim(), performance_ids: ids, gates: gateList.length ? gateList : undefined });
      created = device;
      await A.refresh(t("devices.registered"), "device-created-title");
    });

    const shown = created;
    created = null;
    A.page(t("devices.title"),
      shown ? tokenCard(shown) : null,
      el("section", { class: "card", "aria-labelledby": "devices-list" },
        el("h2", { id: "devices-list", tabindex: "-1" }, t("devices.list")),
        rows.length ? A.table(t("devices.list"), [t("devices.name"), t("devices.gates"), t("devices.performances"),
          t("devices.made"), t("devices.state"), ""], rows, { id: "device-table" })
          : el("p", { class: "muted" }, t("devices.none"))),
      el("section", { class: "card", "aria-labelledby": "device-new" },
        el("h2", { id: "device-new" }, t("devices.new")), register));
  }

  A.route(/^\/admin\/devices$/, devicesPage, "devices");
})();
