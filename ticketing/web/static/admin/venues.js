// Venues (an address) and their halls; a hall links to the seat-map editor and lists its
// layout versions.
"use strict";

(() => {
  const { el, fill, t, words } = Podium;
  const A = Admin;

  words({
    nl: {
      "venues.title": "Locaties en zalen", "venues.none": "Dit huis heeft nog geen locaties.",
      "venues.new": "Nieuwe locatie", "venues.create": "Locatie toevoegen", "venues.created": "Locatie toegevoegd.",
      "venues.name": "Naam", "venues.street": "Straat en nummer", "venues.postal_code": "Postcode",
      "venues.city": "Gemeente", "venues.country": "Land (2 letters)", "venues.place": "UiTdatabank-locatie-id",
      "venues.place_hint": "Laat leeg: Podium maakt de locatie zelf aan in UiTdatabank.",
      "venues.halls": "Zalen", "venues.no_halls": "Nog geen zalen.", "venues.edit": "Locatie bewerken",
      "venues.details": "Gegevens", "venues.back": "Alle locaties",
      "halls.new": "Nieuwe zaal", "halls.create": "Zaal toevoegen", "halls.created": "Zaal toegevoegd.",
      "halls.name": "Naam van de zaal", "halls.description": "Beschrijving", "halls.open": "Zaal openen",
      "halls.editor": "Zaalplan bewerken", "halls.versions": "Versies van het zaalplan",
      "halls.no_layout": "Deze zaal heeft nog geen zaalplan. Teken er een in de zaalplan-editor.",
      "halls.version": "Versie", "halls.plan": "Naam van het plan", "halls.seats": "Zitplaatsen",
      "halls.standing": "Staanplaatsen", "halls.created_at": "Gemaakt", "halls.preview": "Zaalplan, versie {v}",
      "halls.export": "JSON", "halls.export_label": "Versie {v} als JSON",
    },
    fr: {
      "venues.title": "Lieux et salles", "venues.none": "Cette maison n'a pas encore de lieux.",
      "venues.new": "Nouveau lieu", "venues.create": "Ajouter le lieu", "venues.created": "Lieu ajouté.",
      "venues.name": "Nom", "venues.street": "Rue et numéro", "venues.postal_code": "Code postal",
      "venues.city": "Commune", "venues.country": "Pays (2 lettres)", "venues.place": "Id du lieu dans UiTdatabank",
      "venues.place_hint": "Laissez vide : Podium crée le lieu dans UiTdatabank.",
      "venues.halls": "Salles", "venues.no_halls": "Pas encore de salles.", "venues.edit": "Modifier le lieu",
      "venues.details": "Données", "venues.back": "Tous les lieux",
      "halls.new": "Nouvelle salle", "halls.create": "Ajouter la salle", "halls.created": "Salle ajoutée.",
      "halls.name": "Nom de la salle", "halls.description": "Description", "halls.open": "Ouvrir la salle",
      "halls.editor": "Modifier le plan de salle", "halls.versions": "Versions du plan de salle",
      "halls.no_layout": "Cette salle n'a pas encore de plan. Dessinez-en un dans l'éditeur de plans.",
      "halls.version": "Version", "halls.plan": "Nom du plan", "halls.seats": "Places assises",
      "halls.standing": "Places debout", "halls.created_at": "Créé", "halls.preview": "Plan de salle, version {v}",
      "halls.export": "JSON", "halls.export_label": "Version {v} en JSON",
    },
    en: {
      "venues.title": "Venues and halls", "venues.none": "This house has no venues yet.",
      "venues.new": "New venue", "venues.create": "Add venue", "venues.created": "Venue added.",
      "venues.name": "Name", "venues.street": "Street and number", "venues.postal_code": "Postal code",
      "venues.city": "City", "venues.country": "Country (2 letters)", "venues.place": "UiTdatabank place id",
      "venues.place_hint": "Leave empty: Podium creates the place in UiTdatabank.",
      "venues.halls": "Halls", "venues.no_halls": "No halls yet.", "venues.edit": "Edit venue",
      "venues.details": "Details", "venues.back": "All venues",
      "halls.new": "New hall", "halls.create": "Add hall", "halls.created": "Hall added.",
      "halls.name": "Name of the hall", "halls.description": "Description", "halls.open": "Open hall",
      "halls.editor": "Edit seat map", "halls.versions": "Seat map versions",
      "halls.no_layout": "This hall has no seat map yet. Draw one in the seat-map editor.",
      "halls.version": "Version", "halls.plan": "Name of the plan", "halls.seats": "Seats",
      "halls.standing": "Standing", "halls.created_at": "Made", "halls.preview": "Seat map, version {v}",
      "halls.export": "JSON", "halls.export_label": "Version {v} as JSON",
    },
  });

  const blank = (value) => (value.trim() ? value.trim() : null);

  function venueFields(venue) {
    const v = venue || {};
    const inputs = {
      name: A.input({ id: "venue-name", value: v.name || "", autocomplete: "off", required: true }),
      street: A.input({ id: "venue-street", value: v.street || "", autocomplete: "street-address", required: true }),
      postal_code: A.input({ id: "venue-postal-code", value: v.postal_code || "", autocomplete: "postal-code",
        inputmode: "numeric", required: true }),
      city: A.input({ id: "venue-city", value: v.city || "", autocomplete: "address-level2", required: true }),
      country: A.input({ id: "venue-country", value: v.country || "BE", maxlength: "2", autocomplete: "country",
        required: true }),
      uitdatabank_place_id: A.input({ id: "venue-place", value: v.uitdatabank_place_id || "", autocomplete: "off",
        spellcheck: "false" }),
    };
    const fields = el("div", { class: "form-grid" },
      A.field(t("venues.name"), inputs.name, { name: "name", required: true }),
      A.field(t("venues.street"), inputs.street, { name: "street", required: true }),
      A.field(t("venues.postal_code"), inputs.postal_code, { name: "postal_code", required: true }),
      A.field(t("venues.city"), inputs.city, { name: "city", required: true }),
      A.field(t("venues.country"), inputs.country, { name: "country", required: true }),
      A.field(t("venues.place"), inputs.uitdatabank_place_id, { name: "uitdatabank_place_id", hint: t("venues.place_hint") }));
    const body = () => ({
      name: inputs.name.value.trim(), street: inputs.street.value.trim(),
      postal_code: inputs.postal_code.value.trim(), city: inputs.city.value.trim(),
      country: inputs.country.value.trim().toUpperCase(),
      uitdatabank_place_id: blank(inputs.uitdatabank_place_id.value),
    });
    return { fields, body };
  }

  function hallFields(hall, prefix) {
    const h = hall || {};
    const name = A.input({ id: `${prefix}-name`, value: h.name || "", autocomplete: "off", required: true });
    const description = el("textarea", { id: `${prefix}-description`, rows: "2" }, h.description || "");
    const fields = el("div", { class: "form-grid" },
      A.field(t("halls.name"), name, { name: "name", required: true }),
      A.field(t("halls.description"), description, { name: "description", wide: true }));
    return { fields, body: () => ({ name: name.value.trim(), description: blank(description.value) }) };
  }

  // ---- all venues ----------------------------------------------------------------------
  async function venuesPage() {
    const house = A.state.house;
    const [venues, halls] = await Promise.all([
      A.call("GET", `/venues?house_id=${house.id}`), A.call("GET", `/halls?house_id=${house.id}`),
    ]);
    const cards = venues.map((v) => {
      const own = halls.filter((h) => h.venue_id === v.id);
      return el("section", { class: "card venue", "aria-labelledby": `venue-${v.id}`, "data-venue": v.id },
        el("h2", { id: `venue-${v.id}` }, el("a", { href: `/admin/venues/${v.id}` }, v.name)),
        el("p", { class: "muted" }, `${v.street}, ${v.postal_code} ${v.city} (${v.country})`),
        own.length ? el("ul", { class: "plain" }, own.map((h) => el("li", {},
          el("a", { href: `/admin/halls/${h.id}` }, h.name))))
          : el("p", { class: "muted" }, t("venues.no_halls")));
    });
    const { fields, body } = venueFields(null);
    const create = A.form({ id: "venue-form", "aria-labelledby": "venue-new" }, [fields], t("venues.create"),
      async () => {
        const venue = await A.call("POST", "/venues", Object.assign({ house_id: house.id }, body()));
        await A.go(`/admin/venues/${venue.id}`, t("venues.created"));
      });
    A.page(t("venues.title"),
      venues.length ? el("div", { class: "grid" }, cards) : el("p", { class: "muted" }, t("venues.none")),
      el("section", { class: "card" }, el("h2", { id: "venue-new" }, t("venues.new")), create));
  }

  // ---- one venue -----------------------------------------------------------------------
  async function venuePage(id) {
    const [venue, halls] = await Promise.all([A.call("GET", `/venues/${id}`), A.call("GET", `/halls?venue_id=${id}`)]);
    const { fields, body } = venueFields(venue);
    const edit = A.form({ id: "venue-form", "aria-labelledby": "venue-details" }, [fields], t("form.save"),
      async () => {
        await A.call("PATCH", `/venues/${venue.id}`, body());
        await A.refresh(t("form.saved"));
      });
    const hall = hallFields(null, "hall");
    const addHall = A.form({ id: "hall-form", "aria-labelledby": "hall-new" }, [hall.fields], t("halls.create"),
      async () => {
        await A.call("POST", "/halls", Object.assign({ venue_id: venue.id }, hall.body()));
        await A.refresh(t("halls.created"));
      });
    A.page(venue.name,
      el("p", {}, el("a", { href: "/admin/venues" }, `← ${t("venues.back")}`)),
      el("section", { class: "card", "aria-labelledby": "venue-halls" },
        el("h2", { id: "venue-halls" }, t("venues.halls")),
        halls.length ? A.table(t("venues.halls"), [t("halls.name"), t("halls.description"), ""],
          halls.map((h) => el("tr", { "data-hall": h.id },
            el("td", {}, el("a", { href: `/admin/halls/${h.id}` }, h.name)),
            el("td", {}, h.description || ""),
            el("td", {}, el("a", { href: `/admin/seatmaps/${h.id}` }, t("halls.editor"))))))
          : el("p", { class: "muted" }, t("venues.no_halls")),
        el("h3", { id: "hall-new" }, t("halls.new")), addHall),
      el("section", { class: "card", "aria-labelledby": "venue-details" },
        el("h2", { id: "venue-details" }, t("venues.details")), edit));
  }

  // ---- one hall ------------------------------------------------------------------------
  async function hallPage(id) {
    const hall = await A.call("GET", `/halls/${id}`);
    const [venue, layouts] = await Promise.all([
      A.call("GET", `/venues/${hall.venue_id}`), A.call("GET", `/halls/${id}/layouts`),
    ]);
    layouts.sort((a, b) => b.version - a.version);
    const { fields, body } = hallFields(hall, "hall");
    const edit = A.form({ id: "hall-form", "aria-labelledby": "hall-details" }, [fields], t("form.save"), async () => {
      await A.call("PATCH", `/halls/${hall.id}`, body());
      await A.refresh(t("form.saved"));
    });
    const preview = el("div", { class: "layout-preview", id: "layout-preview" });
    A.page(hall.name,
      el("p", {}, el("a", { href: `/admin/venues/${venue.id}` }, `← ${venue.name}`)),
      el("section", { class: "card", "aria-labelledby": "hall-layouts" },
        el("div", { class: "section-head" }, el("h2", { id: "hall-layouts" }, t("halls.versions")),
          el("a", { class: "button", href: `/admin/seatmaps/${hall.id}`, id: "open-editor" }, t("halls.editor"))),
        layouts.length ? A.table(t("halls.versions"),
          [t("halls.version"), t("halls.plan"), { text: t("halls.seats"), attrs: { class: "num" } },
            { text: t("halls.standing"), attrs: { class: "num" } }, t("halls.created_at"), ""],
          layouts.map((l) => el("tr", { "data-layout": l.id },
            el("td", {}, String(l.version)), el("td", {}, l.name),
            el("td", { class: "num" }, String(l.seat_count)), el("td", { class: "num" }, String(l.standing_capacity)),
            el("td", {}, A.longWhen(l.created_at)),
            el("td", {}, el("a", { href: `/layouts/${l.id}/export`, "aria-label": t("halls.export_label", { v: l.version }),
              onclick: (e) => { e.preventDefault(); download(l); } }, t("halls.export"))))))
          : el("p", { class: "muted", id: "no-layout" }, t("halls.no_layout")),
        preview),
      el("section", { class: "card", "aria-labelledby": "hall-details" },
        el("h2", { id: "hall-details" }, t("venues.details")), edit));
    if (layouts.length) showPreview(preview, layouts[0]);
  }

  // The newest version drawn by the API (it needs the login, so it is fetched, not linked).
  async function showPreview(box, layout) {
    try {
      const svg = await A.call("GET", `/layouts/${layout.id}/svg`);
      const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
      fill(box, el("img", { src: url, alt: t("halls.preview", { v: layout.version }) }));
    } catch {
      fill(box);
    }
  }

  async function download(layout) {
    try {
      const doc = await A.call("GET", `/layouts/${layout.id}/export`);
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }));
      const a = el("a", { href: url, download: `layout-v${layout.version}.json` });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (failure) {
      A.say(Podium.explain(failure), "error");
    }
  }

  A.route(/^\/admin\/venues$/, venuesPage, "venues");
  A.route(/^\/admin\/venues\/([0-9a-f-]{36})$/, venuePage, "venues");
  A.route(/^\/admin\/halls\/([0-9a-f-]{36})$/, hallPage, "venues");
})();
