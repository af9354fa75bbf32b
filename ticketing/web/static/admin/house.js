// The house itself (name, contact, hold time, UiTdatabank organizer) and, for a cluster
// admin, the cluster's houses and adding one.
"use strict";

(() => {
  const { el, t, words } = Podium;
  const A = Admin;

  words({
    nl: {
      "house.title": "Huis", "house.details": "Gegevens van het huis", "house.slug": "Korte naam (in webadressen)",
      "house.prefix": "Voorvoegsel van bestelcodes", "house.name": "Naam", "house.legal_name": "Juridische naam",
      "house.email": "E-mail", "house.phone": "Telefoon", "house.website": "Website",
      "house.hold": "Hoelang een mandje plaatsen vasthoudt (minuten)", "house.organizer": "UiTdatabank-organisator-id",
      "house.cluster": "Huizen van {cluster}", "house.new": "Huis toevoegen", "house.create": "Huis toevoegen",
      "house.created": "Huis toegevoegd.", "house.slug_hint": "Kleine letters, cijfers en streepjes, bijvoorbeeld gent-vooruit.",
      "house.prefix_hint": "2 tot 5 hoofdletters; bestelcodes beginnen ermee.", "house.shop": "Shop",
    },
    fr: {
      "house.title": "Maison", "house.details": "Données de la maison", "house.slug": "Nom court (dans les adresses web)",
      "house.prefix": "Préfixe des codes de commande", "house.name": "Nom", "house.legal_name": "Nom légal",
      "house.email": "E-mail", "house.phone": "Téléphone", "house.website": "Site web",
      "house.hold": "Durée de réservation d'un panier (minutes)", "house.organizer": "Id d'organisateur UiTdatabank",
      "house.cluster": "Maisons de {cluster}", "house.new": "Ajouter une maison", "house.create": "Ajouter la maison",
      "house.created": "Maison ajoutée.", "house.slug_hint": "Minuscules, chiffres et tirets, par exemple gent-vooruit.",
      "house.prefix_hint": "2 à 5 majuscules ; les codes de commande commencent ainsi.", "house.shop": "Billetterie",
    },
    en: {
      "house.title": "House", "house.details": "The house's details", "house.slug": "Short name (in web addresses)",
      "house.prefix": "Order code prefix", "house.name": "Name", "house.legal_name": "Legal name",
      "house.email": "E-mail", "house.phone": "Phone", "house.website": "Website",
      "house.hold": "Basket hold time (minutes)", "house.organizer": "UiTdatabank organizer id",
      "house.cluster": "Houses of {cluster}", "house.new": "Add a house", "house.create": "Add house",
      "house.created": "House added.", "house.slug_hint": "Small letters, digits and dashes, for example gent-vooruit.",
      "house.prefix_hint": "2 to 5 capitals; order codes start with them.", "house.shop": "Shop",
    },
  });

  const blank = (value) => (value.trim() ? value.trim() : null);

  function contactFields(house, prefix) {
    const h = house || {};
    const inputs = {
      name: A.input({ id: `${prefix}-name`, value: h.name || "", required: true, autocomplete: "organization" }),
      legal_name: A.input({ id: `${prefix}-legal-name`, value: h.legal_name || "", autocomplete: "off" }),
      email: A.input({ id: `${prefix}-email`, type: "email", value: h.email || "", autocomplete: "email" }),
      phone: A.input({ id: `${prefix}-phone`, type: "tel", value: h.phone || "", autocomplete: "tel" }),
      website: A.input({ id: `${prefix}-website`, type: "url", value: h.website || "", autocomplete: "url" }),
      hold_minutes: A.input({ id: `${prefix}-hold`, type: "number", min: "1", max: "120", value: h.hold_minutes || 15 }),
      uitdatabank_organizer_id: A.input({ id: `${prefix}-organizer`, value: h.uitdatabank_organizer_id || "",
        autocomplete: "off", spellcheck: "false" }),
    };
    const fields = [
      A.field(t("house.name"), inputs.name, { name: "name", required: true }),
      A.field(t("house.legal_name"), inputs.legal_name, { name: "legal_name" }),
      A.field(t("house.email"), inputs.email, { name: "email" }),
      A.field(t("house.phone"), inputs.phone, { name: "phone" }),
      A.field(t("house.website"), inputs.website, { name: "website" }),
      A.field(t("house.hold"), inputs.hold_minutes, { name: "hold_minutes" }),
      A.field(t("house.organizer"), inputs.uitdatabank_organizer_id, { name: "uitdatabank_organizer_id" }),
    ];
    const body = () => ({
      name: inputs.name.value.trim(), legal_name: blank(inputs.legal_name.value), email: blank(inputs.email.value),
      phone: blank(inputs.phone.value), website: blank(inputs.website.value),
      hold_minutes: A.whole(inputs.hold_minutes.value), uitdatabank_organizer_id: blank(inputs.uitdatabank_organizer_id.value),
    });
    return { fields, body };
  }

  async function housePage() {
    const house = await A.call("GET", `/houses/${A.state.house.id}`);
    const own = contactFields(house, "house");
    const edit = A.form({ id: "house-form", "aria-labelledby": "house-details" }, [
      el("dl", { class: "facts" },
        el("dt", {}, t("house.slug")), el("dd", {}, el("a", { href: `/shop/houses/${house.slug}` }, house.slug)),
        el("dt", {}, t("house.prefix")), el("dd", {}, house.order_code_prefix)),
      el("div", { class: "form-grid" }, own.fields),
    ], t("form.save"), async () => {
      const saved = await A.call("PATCH", `/houses/${house.id}`, own.body());
      Object.assign(A.state.house, saved);
      A.chrome();
      await A.refresh(t("form.saved"), "house-details");
    });
    const sections = [el("section", { class: "card", "aria-labelledby": "house-details" },
      el("h2", { id: "house-details", tabindex: "-1" }, t("house.details")), edit)];

    if (A.clusterAdmin(house.cluster_id)) {
      const cluster = A.cluster();
      const houses = await A.call("GET", `/houses?cluster_id=${house.cluster_id}`);
      const slug = A.input({ id: "new-house-slug", autocomplete: "off", spellcheck: "false", required: true });
      const prefix = A.input({ id: "new-house-prefix", autocomplete: "off", maxlength: "5", required: true });
      const contact = contactFields(null, "new-house");
      const add = A.form({ id: "new-house-form", "aria-labelledby": "house-new" }, [el("div", { class: "form-grid" },
        A.field(t("house.slug"), slug, { name: "slug", required: true, hint: t("house.slug_hint") }),
        A.field(t("house.prefix"), prefix, { name: "order_code_prefix", required: true, hint: t("house.prefix_hint") }),
        contact.fields)], t("house.create"), async () => {
        const body = Object.assign(contact.body(), { cluster_id: house.cluster_id, slug: slug.value.trim(),
          order_code_prefix: prefix.value.trim().toUpperCase() });
        for (const key of Object.keys(body)) if (body[key] === null) delete body[key];
        await A.call("POST", "/houses", body);
        A.state.houses = (await A.call("GET", "/houses")).filter(A.manages);
        A.chrome();
        await A.refresh(t("house.created"), "cluster-houses");
      });
      sections.push(el("section", { class: "card", "aria-labelledby": "cluster-houses" },
        el("h2", { id: "cluster-houses", tabindex: "-1" }, t("house.cluster", { cluster: cluster ? cluster.name : "" })),
        A.table(t("house.cluster", { cluster: cluster ? cluster.name : "" }),
          [t("house.name"), t("house.slug"), t("house.prefix"), t("house.email")],
          houses.map((h) => el("tr", { "data-house": h.slug }, el("td", {}, h.name),
            el("td", {}, el("a", { href: `/shop/houses/${h.slug}` }, h.slug)), el("td", {}, h.order_code_prefix),
            el("td", {}, h.email || t("form.none"))))),
        el("details", { class: "add" }, el("summary", {}, el("h3", { id: "house-new" }, t("house.new"))), add)));
    }
    A.page(`${t("house.title")}: ${house.name}`, ...sections);
  }

  A.route(/^\/admin\/house$/, housePage, "house");
})();
