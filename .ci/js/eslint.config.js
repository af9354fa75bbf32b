// ESLint's flat config for the page scripts of ticketing/web/static (docs/development.md,
// "JavaScript lint"). Run from the repository root: `make lint-js`, or .ci/run in CI.
// Vendored third-party bundles are theirs, not ours, and are not linted.
import js from "@eslint/js";
import globals from "globals";

const STATIC = "ticketing/web/static";

// The globals a page script may read beyond the browser's: each shared classic script
// defines one (marked `/* exported NAME */` there), and the pages that load it after it
// read it. A script is given only the globals its page's <script> tags define before it.
const readonly = (...names) => Object.fromEntries(names.map((name) => [name, "readonly"]));
const PAGES = [
  ["common/login.js", readonly("Podium")],
  ["common/seatmap.js", readonly("Podium")],
  ["admin/core.js", readonly("Podium", "PodiumLogin")],
  ["admin/!(core).js", readonly("Podium", "PodiumLogin", "Admin")],
  ["box-office/*.js", readonly("Podium", "PodiumLogin", "SeatMap")],
  ["shop/*.js", readonly("Podium", "SeatMap")],
  ["editor/*.js", readonly("Podium", "PodiumLogin")],
  ["scanner/*.js", readonly("jsQR")], // vendor/jsqr
  ["docs/swagger-init.js", readonly("SwaggerUIBundle")], // vendor/swagger-ui
];

export default [
  { ignores: [`${STATIC}/vendor/**`, "tests/web/vendor/**"] },
  {
    files: [`${STATIC}/**/*.js`],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: globals.browser,
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // ESLint's recommended rules (no-undef, no-unused-vars, ...), and bugs they let through.
      ...js.configs.recommended.rules,
      "array-callback-return": "error",
      "eqeqeq": ["error", "always", { null: "ignore" }],
      "no-constructor-return": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-eval": "error",
      "no-promise-executor-return": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      "no-var": "error",
      "prefer-const": "error",
      // Browser globals that a missing declaration silently falls back to (`name`, `event`,
      // `status` are properties of window): never read them as globals.
      "no-restricted-globals": ["error", "event", "name", "status", "length", "top", "parent",
        "self", "closed", "opener", "origin", "find", "print", "close", "open", "stop"],
    },
  },
  ...PAGES.map(([files, names]) => ({
    files: [`${STATIC}/${files}`],
    languageOptions: { globals: names },
  })),
  // The seat-map editor is native ES modules (editor.js imports the rest; docs/web.md).
  {
    files: [`${STATIC}/editor/*.js`],
    languageOptions: { sourceType: "module" },
  },
];
