// Staff: who works for the house, adding someone, giving and taking roles (in this house,
// or cluster-wide for a cluster admin), switching an account off.
"use strict";

(() => {
  const { el, t, words } = Podium;
  const A = Admin;
  const HOUSE_ROLES = ["house_admin", "box_office", "scanner", "finance"];

  words({
    nl: {
      "staff.title": "Personeel", "staff.none": "Nog niemand.", "staff.members": "Medewerkers",
      "staff.new": "Medewerker toevoegen", "staff.create": "Medewerker toevoegen",
      "staff.created": "{name} is toegevoegd.", "staff.name": "Naam", "staff.email": "E-mail",
      "staff.password": "Eerste wachtwoord", "staff.generate": "Maak een wachtwoord",
      "staff.password_hint": "Minstens 10 tekens. Geef het door; de medewerker kiest daarna een eigen wachtwoord. Heeft dit e-mailadres al een account, dan krijgt het gewoon de rollen.",
      "staff.language": "Taal", "staff.roles": "Rollen", "staff.no_roles": "Geen rollen hier.",
      "staff.give": "Rol geven", "staff.role": "Rol", "staff.given": "Rol gegeven.", "staff.taken": "Rol afgenomen.",
      "staff.take": "Afnemen", "staff.take_label": "Rol {role} afnemen van {name}",
      "staff.take_own": "Je neemt je eigen rol {role} af. Doorgaan?",
      "staff.in_house": "in dit huis", "staff.in_cluster": "in de hele cluster",
      "staff.active": "Actief", "staff.inactive": "Uitgeschakeld", "staff.switch_off": "Account uitschakelen",
      "staff.switch_on": "Account weer inschakelen", "staff.switched_off": "Account uitgeschakeld: aanmelden kan niet meer.",
      "staff.switched_on": "Account weer ingeschakeld.", "staff.confirm_off": "{name} uitschakelen? Alle aanmeldingen stoppen meteen.",
      "staff.you": "(jij)", "staff.all_given": "Alle rollen zijn al gegeven.",
      "role.house_admin": "Huisbeheerder", "role.cluster_admin": "Clusterbeheerder", "role.box_office": "Kassa",
      "role.scanner": "Scanner aan de deur", "role.finance": "Financiën",
      "lang.nl": "Nederlands", "lang.fr": "Frans", "lang.en": "Engels",
    },
    fr: {
      "staff.title": "Personnel", "staff.none": "Personne encore.", "staff.members": "Collaborateurs",
      "staff.new": "Ajouter un collaborateur", "staff.create": "Ajouter le collaborateur",
      "staff.created": "{name} a été ajouté.", "staff.name": "Nom", "staff.email": "E-mail",
      "staff.password": "Premier mot de passe", "staff.generate": "Créer un mot de passe",
      "staff.password_hint": "Au moins 10 caractères. Transmettez-le ; la personne en choisira un autre. Si cette adresse a déjà un compte, il reçoit simplement les rôles.",
      "staff.language": "Langue", "staff.roles": "Rôles", "staff.no_roles": "Aucun rôle ici.",
      "staff.give": "Donner le rôle", "staff.role": "Rôle", "staff.given": "Rôle donné.", "staff.taken": "Rôle retiré.",
      "staff.take": "Retirer", "staff.take_label": "Retirer le rôle {role} à {name}",
      "staff.take_own": "Vous retirez votre propre rôle {role}. Continuer ?",
      "staff.in_house": "dans cette maison", "staff.in_cluster": "dans tout le cluster",
      "staff.active": "Actif", "staff.inactive": "Désactivé", "staff.switch_off": "Désactiver le compte",
      "staff.switch_on": "Réactiver le compte", "staff.switched_off": "Compte désactivé : plus de connexion possible.",
      "staff.switched_on": "Compte réactivé.", "staff.confirm_off": "Désactiver {name} ? Toutes ses sessions s'arrêtent.",
      "staff.you": "(vous)", "staff.all_given": "Tous les rôles sont déjà donnés.",
      "role.house_admin": "Gestionnaire de maison", "role.cluster_admin": "Gestionnaire de cluster", "role.box_office": "Caisse",
      "role.scanner": "Contrôle à l'entrée", "role.finance": "Finances",
      "lang.nl": "Néerlandais", "lang.fr": "Français", "lang.en": "Anglais",
    },
    en: {
      "staff.title": "Staff", "staff.none": "Nobody yet.", "staff.members": "Staff members",
      "staff.new": "Add a staff member", "staff.create": "Add staff member",
      "staff.created": "{name} was added.", "staff.name": "Name", "staff.email": "E-mail",
      "staff.password": "First password", "staff.generate": "Make a password",
      "staff.password_hint": "At least 10 characters. Pass it on; they choose their own afterwards. If this address has an account already, it just gets the roles.",
      "staff.language": "Language", "staff.roles": "Roles", "staff.no_roles": "No roles here.",
      "staff.give": "Give role", "staff.role": "Role", "staff.given": "Role given.", "staff.taken": "Role taken away.",
      "staff.take": "Take away", "staff.take_label": "Take role {role} away from {name}",
      "staff.take_own": "You are taking away your own role {role}. Go on?",
      "staff.in_house": "in this house", "staff.in_cluster": "in the whole cluster",
      "staff.active": "Active", "staff.inactive": "Switched off", "staff.switch_off": "Switch account off",
      "staff.switch_on": "Switch account on again", "staff.switched_off": "Account switched off: no more logins.",
      "staff.switched_on": "Account switched on again.", "staff.confirm_off": "Switch {name} off? All their logins end at once.",
      "staff.you": "(you)", "staff.all_given": "Every role is given already.",
      "role.house_admin": "House admin", "role.cluster_admin": "Cluster admin", "role.box_office": "Box office",
      "role.scanner": "Door scanner", "role.finance": "Finance",
      "lang.nl": "Dutch", "lang.fr": "French", "lang.en": "English",
    },
  });

  // The roles this admin may give here: "house:ROLE" in the house, "cluster:ROLE" cluster-wide.
  function grantable() {
    const house = A.state.house;
    const out = HOUSE_ROLES.map((r) => [`house:${r}`, `${t(`role.${r}`)} ${t("staff.in_house")}`]);
    if (A.clusterAdmin(house.cluster_id)) {
      out.push(...HOUSE_ROLES.map((r) => [`cluster:${r}`, `${t(`role.${r}`)} ${t("staff.in_cluster")}`]));
      out.push(["cluster:cluster_admin", t("role.cluster_admin")]);
    }
    return out;
  }

  function grant(choice) {
    const [scope, role] = choice.split(":");
    const house = A.state.house;
    return scope === "house" ? { role, house_id: house.id } : { role, cluster_id: house.cluster_id };
  }

  const roleKey = (r) => `${r.house_id ? "house" : "cluster"}:${r.role}`;
  const roleName = (r) => (r.role === "cluster_admin" ? t("role.cluster_admin")
    : `${t(`role.${r.role}`)} ${r.house_id ? t("staff.in_house") : t("staff.in_cluster")}`);

  function password() {
    const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const bytes = crypto.getRandomValues(new Uint8Array(14));
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  }

  function memberCard(member) {
    const house = A.state.house;
    const me = A.state.me;
    const roles = member.roles.filter((r) => r.house_id === house.id || (r.house_id === null && r.cluster_id === house.cluster_id));
    const held = new Set(roles.map(roleKey));
    const options = grantable().filter(([key]) => !held.has(key));
    const name = member.name;
    const headingId = `member-${member.id}`;
    const roleList = roles.length ? el("ul", { class: "roles" }, roles.map((r) => el("li", { "data-role": roleKey(r) },
      el("span", {}, roleName(r)),
      A.action({ class: "secondary small", "aria-label": t("staff.take_label", { role: roleName(r), name }) },
        t("staff.take"), async () => {
          if (member.id === me.id && !window.confirm(t("staff.take_own", { role: roleName(r) }))) return;
          await A.call("DELETE", `/staff/${member.id}/roles/${r.id}`);
          await A.refresh(t("staff.taken"), headingId);
        }))))
      : el("p", { class: "muted" }, t("staff.no_roles"));
    const choice = A.select({ id: `give-${member.id}` }, options, options.length ? options[0][0] : "");
    const give = options.length ? A.form({ id: `give-form-${member.id}`, class: "inline-form",
      "aria-label": `${t("staff.give")}: ${name}` }, [A.field(t("staff.role"), choice, { name: "role" })],
    t("staff.give"), async () => {
      await A.call("POST", `/staff/${member.id}/roles`, grant(choice.value));
      await A.refresh(t("staff.given"), headingId);
    }) : el("p", { class: "muted" }, t("staff.all_given"));
    const toggle = member.id === me.id ? null : A.action({ class: member.is_active ? "danger small" : "secondary small",
      id: `toggle-${member.id}` }, member.is_active ? t("staff.switch_off") : t("staff.switch_on"), async () => {
      if (member.is_active && !window.confirm(t("staff.confirm_off", { name }))) return;
      await A.call("PATCH", `/staff/${member.id}`, { is_active: !member.is_active });
      await A.refresh(member.is_active ? t("staff.switched_off") : t("staff.switched_on"), headingId);
    });
    return el("li", { class: "card member", "data-staff": member.email },
      el("div", { class: "section-head" },
        el("h3", { id: headingId, tabindex: "-1" }, name, member.id === me.id ? ` ${t("staff.you")}` : ""),
        A.badge(member.is_active ? "active" : "inactive", member.is_active ? t("staff.active") : t("staff.inactive"))),
      el("p", { class: "muted" }, member.email, " · ", t(`lang.${member.language}`)),
      el("h4", {}, t("staff.roles")), roleList, give, toggle ? el("div", { class: "row-flex" }, toggle) : null);
  }

  function newMemberForm() {
    const name = A.input({ id: "staff-name", autocomplete: "off", required: true });
    const email = A.input({ id: "staff-email", type: "email", autocomplete: "off", required: true });
    const secret = A.input({ id: "staff-password", autocomplete: "new-password", spellcheck: "false", required: true });
    const language = A.select({ id: "staff-language" }, ["nl", "fr", "en"].map((l) => [l, t(`lang.${l}`)]), "nl");
    const boxes = grantable().map(([key, label]) => A.check(label,
      el("input", { type: "checkbox", id: `staff-role-${key.replace(":", "-")}`, value: key })));
    const make = el("button", { type: "button", class: "secondary small", id: "staff-generate",
      onclick: () => { secret.value = password(); secret.focus(); secret.select(); } }, t("staff.generate"));
    return A.form({ id: "staff-form", "aria-labelledby": "staff-new" }, [
      el("div", { class: "form-grid" },
        A.field(t("staff.name"), name, { name: "name", required: true }),
        A.field(t("staff.email"), email, { name: "email", required: true }),
        el("div", {}, A.field(t("staff.password"), secret, { name: "password", required: true,
          hint: t("staff.password_hint") }), make),
        A.field(t("staff.language"), language, { name: "language" })),
      A.group(t("staff.roles"), el("div", { class: "checks" }, boxes), { id: "staff-roles", name: "roles", wide: true }),
    ], t("staff.create"), async (form) => {
      const chosen = [...form.querySelectorAll("#staff-roles input:checked")].map((box) => grant(box.value));
      const member = await A.call("POST", "/staff", { name: name.value.trim(), email: email.value.trim(),
        password: secret.value, language: language.value, roles: chosen });
      await A.refresh(t("staff.created", { name: member.name }), `member-${member.id}`);
    });
  }

  async function staffPage() {
    const members = await A.call("GET", `/staff?house_id=${A.state.house.id}`);
    members.sort((a, b) => a.name.localeCompare(b.name));
    A.page(t("staff.title"),
      el("section", { "aria-labelledby": "staff-members" },
        el("h2", { id: "staff-members", class: "sr-only" }, t("staff.members")),
        members.length ? el("ul", { class: "grid plain", id: "staff-list" }, members.map(memberCard))
          : el("p", { class: "muted" }, t("staff.none"))),
      el("section", { class: "card", "aria-labelledby": "staff-new" },
        el("h2", { id: "staff-new" }, t("staff.new")), newMemberForm()));
  }

  A.route(/^\/admin\/staff$/, staffPage, "staff");
})();
