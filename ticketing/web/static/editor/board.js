// The drawing on the page: the one Canvas (canvas.js) that shows the plan, made by
// editor.js once the selection's hooks are there.

import { Canvas } from "./canvas.js";
import { $ } from "./dom.js";

export let canvas = null;

export function mountCanvas(hooks) {
  canvas = new Canvas($("canvas-wrap"), $("canvas"), hooks);
}
