// The admin pages start here, once every page has registered its routes (core.js).
"use strict";

Admin.boot();
