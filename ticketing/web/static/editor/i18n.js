// The words of the seat-map editor, one module per language (i18n-nl.js first), registered
// with Podium.words() (common/podium.js). A key missing in French or English falls back to
// Dutch. "{name}" is replaced by a value; words.js's t() takes a key ending in "_one"
// instead of its plain form when the count {n} is 1. The login form's words, the language
// switch's and the offline message are the shared ones of common/.

import en from "./i18n-en.js";
import fr from "./i18n-fr.js";
import nl from "./i18n-nl.js";

Podium.words({ nl, fr, en });
