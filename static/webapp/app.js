/* The booking page. Plain JavaScript, no dependencies: every word it shows comes from the server (config.texts),
   every rule is checked by the server; this only draws what /app/api/ answers and sends what the user picks.
   Inside Telegram the signed initData (from Telegram.WebApp or the #tgWebAppData fragment) goes with every
   request as X-Telegram-Init-Data; without it the page shows availability only. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("webapp-config").textContent);
  var T = config.texts;
  var fragment = new URLSearchParams(location.hash.slice(1));
  var webApp = window.Telegram && window.Telegram.WebApp;
  var initData = (webApp && webApp.initData) || fragment.get("tgWebAppData") || sessionStorage.getItem("tgInitData") || "";
  if (initData) sessionStorage.setItem("tgInitData", initData);

  // The page speaks the user's Telegram language: reload once with ?lang= when it differs.
  var tgUser = {};
  try { tgUser = JSON.parse(new URLSearchParams(initData).get("user") || "{}"); } catch (e) { tgUser = {}; }
  var query = new URLSearchParams(location.search);
  if (tgUser.language_code && !query.has("lang")) {
    var wanted = tgUser.language_code.toLowerCase().indexOf("en") === 0 ? "en" : "ru";
    if (wanted !== config.language) {
      query.set("lang", wanted);
      location.replace(location.pathname + "?" + query.toString() + location.hash);
      return;
    }
  }

  // --- Telegram ------------------------------------------------------------------------------------------

  function postEvent(type, data) {
    var payload = JSON.stringify(data || {});
    try {
      if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, payload);
      else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
    } catch (e) { /* outside Telegram nobody listens */ }
  }

  function applyTheme(raw) {
    var theme = (webApp && webApp.themeParams) || null;
    if (!theme && raw) { try { theme = JSON.parse(raw); } catch (e) { theme = null; } }
    if (!theme) return;
    Object.keys(theme).forEach(function (key) {
      if (/^#[0-9a-f]{3,8}$/i.test(String(theme[key]))) {
        document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), theme[key]);
      }
    });
  }

  // --- Helpers -------------------------------------------------------------------------------------------

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "onclick" || key === "onchange" || key === "oninput") node[key] = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      (Array.isArray(child) ? child : [child]).forEach(function (c) {
        if (c !== null && c !== undefined && c !== false) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    }
    return node;
  }

  function show(node, children) {
    var flat = [].concat.apply([], [].concat(children)).filter(Boolean);
    node.replaceChildren.apply(node, flat);
  }

  function api(path, options) {
    options = options || {};
    var headers = { "Accept": "application/json" };
    if (initData) headers["X-Telegram-Init-Data"] = initData;
    if (options.body) headers["Content-Type"] = "application/json";
    return fetch(config.api + path, {
      method: options.method || "GET", headers: headers, credentials: "omit",
      body: options.body ? JSON.stringify(options.body) : undefined,
    }).then(function (response) {
      return response.json().catch(function () { return { error: T.error, code: "server_error", details: {} }; })
        .then(function (body) {
          if (!response.ok) { var failure = new Error(body.error || T.error); failure.body = body; throw failure; }
          return body;
        });
    });
  }

  function toast(text) {
    var node = document.getElementById("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { node.hidden = true; }, 3500);
  }

  function duration(minutes) {
    var hours = Math.floor(minutes / 60), rest = minutes % 60;
    if (!hours) return fmt(T.minutes, { n: rest });
    if (!rest) return fmt(T.hours, { n: hours });
    return fmt(T.hours_minutes, { h: hours, m: rest });
  }

  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function addDays(iso, n) { var d = new Date(iso + "T12:00:00Z"); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }
  function humanDay(iso) { return iso.slice(8, 10) + "." + iso.slice(5, 7) + "." + iso.slice(0, 4); }
  function monthTitle(month) {
    var d = new Date(month + "-15T12:00:00Z");
    return new Intl.DateTimeFormat(config.language, { month: "long", year: "numeric", timeZone: "UTC" }).format(d);
  }
  function shiftMonth(month, n) {
    var y = +month.slice(0, 4), m = +month.slice(5, 7) - 1 + n;
    y += Math.floor(m / 12); m = ((m % 12) + 12) % 12;
    return y + "-" + String(m + 1).padStart(2, "0");
  }

  // --- State ---------------------------------------------------------------------------------------------

  var state = {
    tab: config.tab, catalogue: null, me: null,
    eq: { item: null, month: null, days: {}, start: null, end: null, units: 1 },
    cab: { date: null, grid: null, pick: null, minutes: null, items: [], chosen: {} },
    draft: null,
  };
  var panels = {
    equipment: document.getElementById("panel-equipment"),
    cabinets: document.getElementById("panel-cabinets"),
    services: document.getElementById("panel-services"),
    bookings: document.getElementById("panel-bookings"),
    confirm: document.getElementById("panel-confirm"),
  };

  function openPanel(name) {
    Object.keys(panels).forEach(function (key) { panels[key].hidden = key !== name; });
    document.querySelectorAll("[data-tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
    });
    window.scrollTo(0, 0);
  }

  function selectTab(name) {
    state.tab = name;
    openPanel(name);
    if (name === "equipment") drawEquipment();
    // The first visit opens on the first day with a free slot, not on a today whose slots have all passed.
    if (name === "cabinets") loadDay(state.cab.date || state.catalogue.today, !state.cab.date);
    if (name === "services") servicesTab.open();
    if (name === "bookings") loadMe().then(drawBookings);
  }

  function banner() {
    var node = document.getElementById("banner");
    if (!initData) {
      var links = Object.keys(config.bots).map(function (bot) {
        return h("a", { href: config.bots[bot], text: T.open_bot });
      });
      show(node, [h("span", { text: T.read_only + " " }), links]);
      node.hidden = false;
    } else if (state.sessionError || (state.me && state.me.user.is_blocked)) {
      show(node, [h("span", { text: state.sessionError || T.blocked })]);
      node.className = "banner error";
      node.hidden = false;
    } else {
      node.hidden = true;
    }
  }

  function loadMe() {
    if (!initData) return Promise.resolve(null);
    return api("/me").then(function (body) { state.me = body; state.sessionError = null; banner(); return body; })
      .catch(function (failure) { state.sessionError = failure.message; banner(); return null; });
  }

  function showFailure(node, failure) {
    node.hidden = false;
    node.className = "banner error";
    show(node, [h("span", { text: failure.message })]);
  }

  // --- Equipment -----------------------------------------------------------------------------------------

  function drawEquipment() {
    var eq = state.eq, parts = [h("h2", { text: T.choose_item })];
    state.catalogue.categories.forEach(function (category) {
      parts.push(h("h3", { text: category.name }));
      parts.push(h("div", { class: "list" }, category.items.map(function (item) {
        return h("button", {
          type: "button", class: "choice", "data-item": item.id, "aria-pressed": String(!!eq.item && eq.item.id === item.id),
          onclick: function () { pickItem(item); },
        }, h("span", { text: item.name }), h("small", { text: "× " + item.quantity }));
      })));
    });
    if (eq.item) parts.push(h("div", { id: "equipment-calendar" }));
    show(panels.equipment, parts);
    if (eq.item) drawCalendar();
  }

  function pickItem(item) {
    var eq = state.eq;
    eq.item = item; eq.start = null; eq.end = null; eq.units = 1; eq.days = {};
    eq.month = eq.month || state.catalogue.today.slice(0, 7);
    loadMonth().then(function () {
      drawEquipment();
      document.getElementById("equipment-calendar").scrollIntoView({ block: "start" });
    });
  }

  function loadMonth() {
    var eq = state.eq;
    return api("/equipment/" + eq.item.id + "/month?month=" + eq.month).then(function (body) {
      body.days.forEach(function (day) { eq.days[day.date] = day; });
    });
  }

  function freeInRange() {
    var eq = state.eq, free = eq.item.quantity;
    for (var day = eq.start; day && day <= (eq.end || eq.start); day = addDays(day, 1)) {
      if (eq.days[day]) free = Math.min(free, eq.days[day].free);
    }
    return free;
  }

  function drawCalendar() {
    var eq = state.eq, node = document.getElementById("equipment-calendar");
    var first = eq.month + "-01", cells = [];
    T.weekdays.split(" ").forEach(function (wd) { cells.push(h("span", { class: "wd", text: wd })); });
    var offset = (new Date(first + "T12:00:00Z").getUTCDay() + 6) % 7;
    for (var i = 0; i < offset; i++) cells.push(h("span"));
    for (var day = first; day.slice(0, 7) === eq.month; day = addDays(day, 1)) {
      cells.push(dayButton(eq.days[day] || { date: day, free: 0, state: "past" }));
    }
    var lastMonth = state.catalogue.equipment_last_day.slice(0, 7), thisMonth = state.catalogue.today.slice(0, 7);
    var parts = [
      h("div", { class: "month" },
        h("button", { type: "button", class: "secondary", "aria-label": "prev", disabled: eq.month <= thisMonth,
          onclick: function () { eq.month = shiftMonth(eq.month, -1); loadMonth().then(drawCalendar); }, text: T.month_prev }),
        h("strong", null, eq.item.name + " · ", h("span", { text: monthTitle(eq.month) })),
        h("button", { type: "button", class: "secondary", "aria-label": "next", disabled: eq.month >= lastMonth,
          onclick: function () { eq.month = shiftMonth(eq.month, 1); loadMonth().then(drawCalendar); }, text: T.month_next })),
      h("div", { class: "calendar", id: "calendar" }, cells),
      h("p", { class: "hint", text: eq.start && !eq.end ? T.pick_end : T.pick_start }),
    ];
    if (eq.start) {
      var most = Math.max(1, freeInRange()), options = [];
      for (var u = 1; u <= most; u++) options.push(h("option", { value: u, selected: u === eq.units, text: String(u) }));
      parts.push(h("label", { text: T.units }, h("select", { id: "units", onchange: function (e) { eq.units = +e.target.value; } }, options)));
      parts.push(h("button", { type: "button", class: "primary", id: "equipment-continue", onclick: equipmentDraft, text: T.continue }));
    }
    show(node, parts);
  }

  function dayButton(day) {
    var eq = state.eq, end = eq.end || eq.start;
    var classes = [day.state];
    if (eq.start && day.date >= eq.start && day.date <= end) classes.push(day.date === eq.start || day.date === end ? "edge" : "in-range");
    var bookable = day.state === "free";
    return h("button", {
      type: "button", class: classes.join(" "), "data-date": day.date, disabled: !bookable,
      onclick: function () { pickDay(day.date); },
    }, h("b", { text: String(+day.date.slice(8, 10)) }),
    day.state === "free" || day.state === "full" ? h("small", { text: String(day.free) }) : null);
  }

  function pickDay(iso) {
    var eq = state.eq;
    if (!eq.start || eq.end || iso < eq.start) { eq.start = iso; eq.end = null; }
    else eq.end = iso;
    eq.units = Math.min(eq.units, Math.max(1, freeInRange()));
    drawCalendar();
  }

  function equipmentDraft() {
    var eq = state.eq, end = eq.end || eq.start;
    state.draft = {
      body: { kind: "equipment", item_id: eq.item.id, start_date: eq.start, end_date: end, units: eq.units },
      lines: [eq.item.name + (eq.units > 1 ? " × " + eq.units : ""),
        eq.start === end ? humanDay(eq.start) : humanDay(eq.start) + " — " + humanDay(end)],
      back: "equipment",
    };
    drawConfirm();
  }

  // --- Cabinets ------------------------------------------------------------------------------------------

  function loadDay(iso, firstFree) {
    var cab = state.cab;
    cab.date = iso; cab.pick = null; cab.minutes = null; cab.items = []; cab.chosen = {};
    return api("/cabinets/day?date=" + iso + (firstFree ? "&first_free=1" : ""))
      .then(function (body) { cab.grid = body; cab.date = body.date; drawCabinets(); })
      .catch(function (failure) { show(panels.cabinets, [h("p", { class: "message error", text: failure.message })]); });
  }

  function drawCabinets() {
    var cab = state.cab, today = state.catalogue.today, last = state.catalogue.cabinet_last_day;
    // One card per cabinet with its free start times, wrapping to the phone's width: nothing to scroll sideways.
    var cards = cab.grid.cabinets.map(function (cabinet) {
      var free = cabinet.slots.filter(function (slot) { return slot.state === "free"; });
      var picked = cab.pick && cab.pick.cabinet.id === cabinet.id;
      var times = free.map(function (slot) {
        var chosen = picked && cab.pick.slot.starts_at === slot.starts_at;
        return h("button", {
          type: "button", class: "slot free" + (chosen ? " picked" : ""), "aria-pressed": String(!!chosen),
          "data-cabinet": cabinet.id, "data-start": slot.start,
          onclick: function () { pickSlot(cabinet, slot); }, text: slot.start,
        });
      });
      return h("div", { class: "card cabinet", "data-cabinet-card": cabinet.id },
        h("strong", { text: cabinet.name }),
        cabinet.closed_reason ? h("p", { class: "hint", text: T.closed })
          : times.length ? h("div", { class: "times" }, times) : h("p", { class: "hint", text: T.no_free_time }),
        picked ? h("div", { id: "slot-options" }) : null);
    });
    var parts = [
      h("div", { class: "row month" },
        h("button", { type: "button", class: "secondary", disabled: cab.date <= today, "aria-label": T.previous_day,
          onclick: function () { loadDay(addDays(cab.date, -1)); }, text: T.month_prev }),
        h("input", { type: "date", id: "day", value: cab.date, min: today, max: last, style: "width:auto",
          onchange: function (e) { if (e.target.value) loadDay(e.target.value); } }),
        h("button", { type: "button", class: "secondary", disabled: cab.date >= last, "aria-label": T.next_day,
          onclick: function () { loadDay(addDays(cab.date, 1)); }, text: T.month_next })),
      h("p", { class: "hint", text: T.pick_slot }),
      h("div", { class: "list", id: "cabinet-grid" }, cards),
    ];
    show(panels.cabinets, parts);
    if (cab.pick) drawSlotOptions();
  }

  function pickSlot(cabinet, slot) {
    var cab = state.cab;
    cab.pick = { cabinet: cabinet, slot: slot };
    cab.minutes = slot.durations[0];
    cab.chosen = {};
    loadCabinetItems().then(drawCabinets);
  }

  function loadCabinetItems() {
    var cab = state.cab;
    var path = "/cabinets/" + cab.pick.cabinet.id + "/equipment?starts_at=" + encodeURIComponent(cab.pick.slot.starts_at)
      + "&duration_minutes=" + cab.minutes;
    return api(path).then(function (body) { cab.items = body.items; });
  }

  function drawSlotOptions() {
    var cab = state.cab, node = document.getElementById("slot-options");
    var durations = cab.pick.slot.durations.map(function (minutes) {
      return h("button", {
        type: "button", class: "outline", "aria-pressed": String(minutes === cab.minutes), "data-minutes": minutes,
        onclick: function () { cab.minutes = minutes; cab.chosen = {}; loadCabinetItems().then(drawCabinets); },
        text: duration(minutes),
      });
    });
    var items = cab.items.map(function (item) {
      var chosen = cab.chosen[item.id] || 0;
      return h("label", { class: "choice" },
        h("span", { text: item.name }),
        h("small", { text: item.free > 0 ? fmt(T.free_n, { n: item.free }) : T.busy }),
        h("input", { type: "checkbox", "data-item": item.id, disabled: item.free < 1 && !chosen, checked: chosen > 0,
          onchange: function (e) { if (e.target.checked) cab.chosen[item.id] = 1; else delete cab.chosen[item.id]; } }));
    });
    show(node, [
      h("h2", { text: cab.pick.cabinet.name + " · " + humanDay(cab.date) + " " + cab.pick.slot.start }),
      h("label", { text: T.duration }), h("div", { class: "row" }, durations),
      items.length ? h("h3", { text: T.with_equipment }) : null,
      items.length ? h("div", { class: "list" }, items) : null,
      h("button", { type: "button", class: "primary", id: "cabinet-continue", onclick: cabinetDraft, text: T.continue }),
    ]);
  }

  function cabinetDraft() {
    var cab = state.cab;
    var equipment = Object.keys(cab.chosen).map(function (id) { return { item_id: +id, units: cab.chosen[id] }; });
    var names = cab.items.filter(function (item) { return cab.chosen[item.id]; }).map(function (item) { return item.name; });
    state.draft = {
      body: { kind: "cabinet", cabinet_id: cab.pick.cabinet.id, starts_at: cab.pick.slot.starts_at,
        duration_minutes: cab.minutes, equipment: equipment },
      lines: [cab.pick.cabinet.name, humanDay(cab.date) + " " + cab.pick.slot.start + " · " + duration(cab.minutes),
        names.length ? names.join(", ") : T.no_equipment],
      back: "cabinets",
    };
    drawConfirm();
  }

  // --- Confirm -------------------------------------------------------------------------------------------

  // A price as the server wrote it: each line with its amount, then the total ("итого 2 200 ₽").
  function priceNode(price, id) {
    return h("div", { class: "price", id: id },
      price.lines.map(function (line) {
        return h("div", { class: "price-line " + line.kind }, h("span", { text: line.label }),
          line.amount_text ? h("span", { class: "amount", text: line.amount_text }) : null);
      }),
      h("div", { class: "price-total", text: price.total_text }));
  }

  // What the draft would cost for the phone typed, asked again when the phone changes; the latest answer wins.
  function quote() {
    var draft = state.draft, asked = (draft.quotes = (draft.quotes || 0) + 1);
    var body = Object.assign({}, draft.body, { client_phone: draft.phone || "" });
    if (draft.askBirthday && draft.birthday) body.client_birthday = draft.birthday;
    api("/quote", { method: "POST", body: body }).then(function (answer) {
      var node = document.getElementById("price");
      if (state.draft !== draft || asked !== draft.quotes || !node) return;
      show(node, answer.price ? [priceNode(answer.price, "price-lines")] : []);
      node.hidden = !answer.price;
    }).catch(function () { /* no price is shown; Confirm still says what is wrong */ });
  }

  function drawConfirm(outcome) {
    var draft = state.draft, user = (state.me && state.me.user) || {};
    openPanel("confirm");
    if (!initData) {
      show(panels.confirm, [h("div", { class: "summary", text: draft.lines.join("\n") }),
        h("div", { id: "price", hidden: true }),
        h("p", { class: "message", text: T.read_only }),
        h("button", { type: "button", class: "secondary", onclick: function () { selectTab(draft.back); }, text: T.back })]);
      quote();
      return;
    }
    draft.name = draft.name !== undefined ? draft.name : (user.name || "");
    draft.phone = draft.phone !== undefined ? draft.phone : (user.phone || "");
    draft.comment = draft.comment || "";
    draft.email = draft.email !== undefined ? draft.email : (user.email || "");
    // The birthday is asked once per client: only while the server says this client was never asked.
    draft.askBirthday = draft.askBirthday !== undefined ? draft.askBirthday : Boolean(user.ask_birthday);
    draft.birthday = draft.birthday || "";
    show(panels.confirm, [
      h("h2", { text: T.summary }),
      h("div", { class: "summary", id: "summary", text: draft.lines.join("\n") }),
      h("div", { id: "price", hidden: true }),
      h("label", { text: T.client_name }, h("input", { id: "client-name", value: draft.name, autocomplete: "name",
        oninput: function (e) { draft.name = e.target.value; } })),
      h("label", { text: T.client_phone }, h("input", { id: "client-phone", type: "tel", value: draft.phone, autocomplete: "tel",
        oninput: function (e) { draft.phone = e.target.value; }, onchange: quote })),
      h("label", { text: T.client_email }, h("input", { id: "client-email", type: "email", value: draft.email,
        autocomplete: "email", oninput: function (e) { draft.email = e.target.value; } })),
      draft.askBirthday ? h("label", { text: T.client_birthday }, h("input", { id: "client-birthday", type: "date",
        value: draft.birthday, max: state.catalogue.today, oninput: function (e) { draft.birthday = e.target.value; },
        onchange: quote })) : null,
      h("label", { text: T.comment }, h("textarea", { id: "comment", rows: 2,
        oninput: function (e) { draft.comment = e.target.value; } }, draft.comment)),
      h("button", { type: "button", class: "primary", id: "confirm", onclick: submit, text: T.confirm }),
      h("button", { type: "button", class: "secondary", style: "margin-top:8px", onclick: function () { selectTab(draft.back); }, text: T.back }),
      outcome || null,
    ]);
    quote();
  }

  function clientFields(draft) {
    var fields = { client_name: draft.name, client_phone: draft.phone, comment: draft.comment, client_email: draft.email };
    if (draft.askBirthday) { fields.client_birthday = draft.birthday || null; fields.birthday_asked = true; }
    return fields;
  }

  function submit() {
    var draft = state.draft, button = document.getElementById("confirm");
    button.disabled = true;
    var body = Object.assign({}, draft.body, clientFields(draft));
    api(draft.path || "/bookings", { method: "POST", body: body }).then(function (answer) {
      var booking = answer.booking;
      state.draft = null;
      if (draft.askBirthday && state.me) state.me.user.ask_birthday = false;  // given or skipped: asked once
      toast(bookedText(booking));
      if (draft.done) draft.done(booking);
      else { state.eq.start = state.eq.end = null; state.cab.pick = null; }
      // A booking that waits for its payment opens where it is paid; any other is in My bookings.
      if (booking.status === "awaiting_payment") showPayment(booking);
      else if (!draft.done) selectTab("bookings");
    }).catch(function (failure) {
      drawConfirm(refusal(failure));
    });
  }

  function refusal(failure) {
    var details = (failure.body && failure.body.details) || {};
    var alternatives = details.alternatives || [];
    // A draft from another tab (Services) may label and apply its alternatives itself.
    var label = state.draft.alternativeLabel || alternativeLabel;
    var buttons = alternatives.slice(0, 6).map(function (alt) {
      return h("button", { type: "button", class: "action alternative", onclick: function () { useAlternative(alt); },
        text: label(alt) });
    });
    var code = failure.body && failure.body.code;
    var canWait = state.draft.waitlist !== false && (code === "no_capacity" || code === "slot_taken" || code === "held");
    // A neutral card: what went wrong in plain text, what can be done as buttons.
    return h("div", { class: "message refusal", id: "refusal", role: "alert" }, h("p", { text: failure.message }),
      buttons.length ? h("p", { class: "hint", text: T.alternatives }) : null,
      buttons.length ? h("div", { class: "list" }, buttons) : null,
      canWait ? h("button", { type: "button", class: "outline wide", id: "waitlist-join", onclick: joinWaitlist, text: T.join_waitlist }) : null);
  }

  function joinWaitlist() {
    var draft = state.draft;
    var body = Object.assign({}, draft.body, clientFields(draft));
    api("/waitlist", { method: "POST", body: body }).then(function (answer) {
      state.draft = null;
      toast(fmt(T.on_waitlist, { n: answer.wait.position }));
      selectTab("bookings");
    }).catch(function (failure) { drawConfirm(refusal(failure)); });
  }

  function when(isoInstant) { return humanDay(isoInstant.slice(0, 10)) + " " + isoInstant.slice(11, 16); }
  function span(start, end) { return start === end ? humanDay(start) : humanDay(start) + " — " + humanDay(end); }

  function alternativeLabel(alt) {
    if (alt.starts_at) return (alt.cabinet_name ? alt.cabinet_name + " · " : "") + when(alt.starts_at);
    return (alt.item_name ? alt.item_name + " · " : "") + span(alt.start_date, alt.end_date || alt.start_date);
  }

  function useAlternative(alt) {
    var body = state.draft.body;
    if (state.draft.useAlternative) {
      state.draft.useAlternative(alt);
    } else if (body.kind === "equipment") {
      body.item_id = alt.item_id || body.item_id;
      body.start_date = alt.start_date; body.end_date = alt.end_date || alt.start_date;
      if (alt.units) body.units = alt.units;
      state.draft.lines = [(alt.item_name || state.draft.lines[0].split(" × ")[0]) + (body.units > 1 ? " × " + body.units : ""),
        span(body.start_date, body.end_date)];
    } else {
      body.cabinet_id = alt.cabinet_id || body.cabinet_id; body.starts_at = alt.starts_at;
      if (alt.duration_minutes) body.duration_minutes = alt.duration_minutes;
      state.draft.lines = [alt.cabinet_name || state.draft.lines[0], when(alt.starts_at) + " · " + duration(body.duration_minutes)]
        .concat(state.draft.lines.slice(2));
    }
    drawConfirm();
    submit();  // one tap on an alternative books it
  }

  // --- My bookings ---------------------------------------------------------------------------------------

  function waitCard(wait) {
    var offered = wait.status === "offered";
    var act = function (action) {
      return function () {
        api("/waitlist/" + wait.id + "/" + action, { method: "POST", body: {} })
          .then(function (answer) {
            if (answer.booking) toast(bookedText(answer.booking));
            return loadMe();
          }).then(drawBookings).catch(function (failure) { toast(failure.message); });
      };
    };
    return h("div", { class: "card", "data-wait": wait.id },
      h("div", null, h("strong", { text: wait.title })), h("div", { text: wait.when }),
      h("div", { class: "status", text: offered ? fmt(T.offered_until, { time: wait.offer_expires_at.slice(11, 16) })
        : wait.status_label + (wait.position ? " · " + fmt(T.position, { n: wait.position }) : "") }),
      h("div", { class: "row" },
        offered ? h("button", { type: "button", class: "action", "data-action": "accept", onclick: act("accept"), text: T.book }) : null,
        offered ? h("button", { type: "button", class: "outline", "data-action": "decline", onclick: act("decline"), text: T.no_thanks }) : null,
        h("button", { type: "button", class: "outline", "data-action": "leave", onclick: act("leave"), text: T.leave_waitlist })));
  }

  // The wallet's balance while it holds money; each client's when the account books for several who do.
  function walletLines() {
    var wallet = state.me && state.me.wallet;
    if (!wallet || !Number(wallet.balance)) return [];
    if (!wallet.clients.length) return [h("p", { class: "wallet", id: "wallet", text: fmt(T.wallet, { amount: wallet.balance_text }) })];
    return [h("div", { class: "wallet", id: "wallet" }, h("p", { text: T.wallets }), wallet.clients.map(function (client) {
      return h("p", { text: client.name + ": " + client.balance_text });
    }))];
  }

  // The prepaid packages with sessions left: "🎫 Package «УЗИ»: 3 of 5 sessions left, valid until 24.12.2026".
  function packageLines() {
    return ((state.me && state.me.packages) || []).map(function (pack) {
      var day = pack.valid_until.split("-").reverse().join(".");
      return h("p", { class: "wallet package", text: fmt(T.package, { service: pack.service, remaining: pack.remaining,
        sessions: pack.sessions, day: day }) });
    });
  }

  function drawBookings() {
    if (!initData) { show(panels.bookings, [h("p", { class: "message", text: T.read_only })]); return; }
    var bookings = (state.me && state.me.bookings) || [], waits = (state.me && state.me.waits) || [];
    var waitList = waits.length ? [h("h3", { text: T.waits }), h("div", { class: "list", id: "waits" }, waits.map(waitCard))] : [];
    if (!bookings.length) { show(panels.bookings, walletLines().concat(packageLines(), [h("p", { class: "hint", text: T.no_bookings })], waitList)); return; }
    show(panels.bookings, walletLines().concat(packageLines(), waitList, [h("div", { class: "list", id: "bookings" }, bookings.map(bookingCard))]));
  }

  function bookingCard(booking) {
    var key = bookingKey(booking);
    return h("div", { class: "card", "data-booking": key },
      h("div", null, h("strong", { text: booking.reference + " " + booking.title })),
      h("div", { text: booking.when }),
      booking.service ? h("div", { class: "appointment", text: booking.service + " · " + booking.specialist }) : null,
      booking.equipment.length ? h("div", { class: "hint", text: booking.equipment.join(", ") }) : null,
      booking.price ? h("div", { class: "price", "data-price": booking.price.total, text: "💰 " + booking.price.text }) : null,
      h("div", { class: "status", text: booking.status_label }),
      payments.notices[key] ? h("p", { class: "notice", "data-notice": key, role: "status", text: payments.notices[key] }) : null,
      booking.payment && !payments.recording[key] ? paymentNode(booking) : null,
      booking.cancellable ? h("div", { class: "row" }, h("button", { type: "button", class: "outline", "data-action": "cancel",
        onclick: function () { cancel(booking); }, text: T.cancel_booking })) : null);
  }

  function cancel(booking) {
    if (!window.confirm(T.cancel_question)) return;
    api("/bookings/" + booking.kind + "/" + booking.id + "/cancel", { method: "POST", body: {} })
      .then(function () { toast(fmt(T.cancelled, { ref: booking.reference })); return loadMe(); })
      .then(drawBookings)
      .catch(function (failure) { toast(failure.message); });
  }

  // --- Paying ---------------------------------------------------------------------------------------------

  // A booking awaiting its payment holds its place until `payment.pay_by`. Pay asks the server for an invoice link
  // (made by the bot the page was opened from) and opens it in Telegram's payment form: with telegram-web-app.js
  // through Telegram.WebApp.openInvoice, otherwise by posting `web_app_open_invoice` {slug} to the host like any
  // other event. The host answers `invoice_closed` {slug, status}; the money itself reaches the bot's webhook,
  // so after "paid" the page reads the booking again until the bot has recorded it.
  var payments = {
    notices: {},    // "kind:id" -> what became of the booking's payment, shown on its card
    recording: {},  // "kind:id" -> true while a paid booking waits for the bot to record the payment
    closing: {},    // invoice slug -> what to do when Telegram closes its form
    shown: null,    // the booking on the payment screen
  };
  // Read a paid booking again every 1.5 s, after the first 20 reads every 5 s, until it moves on or its time to pay
  // is over (then the sweep has ended it, or it is about to: a payment that comes later goes to the wallet).
  var POLL_MS = 1500, SLOW_POLL_MS = 5000, FAST_POLLS = 20, SWEEP_MS = 2 * 60 * 1000;

  function bookingKey(booking) { return booking.kind + ":" + booking.id; }
  function bookingPath(booking) { return "/bookings/" + booking.kind + "/" + booking.id; }
  function payByTime(booking) { return booking.payment.pay_by.slice(11, 16); }

  function bookedText(booking) {
    if (booking.status === "awaiting_payment" && booking.payment) return fmt(T.booked_awaiting, { ref: booking.reference, time: payByTime(booking) });
    if (booking.status === "cancelled") return fmt(T.cancelled, { ref: booking.reference });
    return fmt(booking.status === "approved" ? T.booked_approved : T.booked_pending, { ref: booking.reference });
  }

  // "Pay 1 500 ₽ by 10:15", what cancelling after paying gives back, Pay and, when the wallet covers it, Pay from wallet.
  function paymentNode(booking) {
    var payment = booking.payment;
    return h("div", { class: "payment", "data-payment": bookingKey(booking) },
      h("p", { class: "pay-by", text: fmt(T.pay_by, { amount: payment.total_text, time: payByTime(booking) }) }),
      h("p", { class: "hint refund-policy", text: payment.refund_policy.text }),
      h("div", { class: "row" },
        h("button", { type: "button", class: "action", "data-action": "pay", text: T.pay,
          onclick: function (event) { pay(booking, event.target); } }),
        payment.wallet_covers ? h("button", { type: "button", class: "outline", "data-action": "pay-from-wallet",
          text: T.pay_from_wallet, onclick: function (event) { payFromWallet(booking, event.target); } }) : null));
  }

  // The screen right after a booking that awaits its payment: its card, and the way to My bookings.
  function showPayment(booking) {
    payments.shown = booking;
    openPanel("confirm");
    show(panels.confirm, [h("h2", { text: T.summary }), h("div", { class: "list", id: "payment-screen" }, bookingCard(booking)),
      h("button", { type: "button", class: "secondary wide", id: "to-bookings", onclick: function () { selectTab("bookings"); },
        text: T.my_bookings })]);
  }

  // Draw the booking as it now stands wherever it is shown.
  function redraw(booking) {
    if (!panels.confirm.hidden && payments.shown && bookingKey(payments.shown) === bookingKey(booking)) showPayment(booking);
    else if (state.tab === "bookings" && !panels.bookings.hidden) loadMe().then(drawBookings);
  }

  function pay(booking, button) {
    button.disabled = true;
    api(bookingPath(booking) + "/invoice", { method: "POST", body: {} }).then(function (answer) {
      button.disabled = false;
      openInvoice(answer.invoice_url, function (status) { invoiceClosed(booking, answer.payload, status); });
    }).catch(function (failure) {
      button.disabled = false;
      toast(failure.message);
      if (failure.body && failure.body.code === "payment_not_due") refresh(booking);  // its time is over, or it moved on
    });
  }

  function payFromWallet(booking, button) {
    button.disabled = true;
    api(bookingPath(booking) + "/pay-from-wallet", { method: "POST", body: {} }).then(function (answer) {
      payments.notices[bookingKey(booking)] = bookedText(answer.booking);
      toast(bookedText(answer.booking));
      redraw(answer.booking);
    }).catch(function (failure) { button.disabled = false; toast(failure.message); });
  }

  function invoiceSlug(url) {
    var match = /^https:\/\/t\.me\/(?:\$|invoice\/)([A-Za-z0-9_=-]+)$/.exec(url || "");
    return match ? match[1] : null;
  }

  function openInvoice(url, closed) {
    if (webApp && webApp.openInvoice) { webApp.openInvoice(url, closed); return; }
    var slug = invoiceSlug(url);
    if (!slug) { toast(T.error); return; }
    payments.closing[slug] = closed;
    postEvent("web_app_open_invoice", { slug: slug });
  }

  function invoiceClosed(booking, payload, status) {
    var key = bookingKey(booking);
    if (status === "paid" || status === "pending") {
      payments.notices[key] = status === "paid" ? T.payment_received : T.payment_pending;
      payments.recording[key] = true;
      toast(payments.notices[key]);
      redraw(booking);
      awaitRecorded(booking, 0);
    } else if (status === "failed") {
      api("/payments/" + encodeURIComponent(payload) + "/failed", { method: "POST", body: {} }).then(function (answer) {
        payments.notices[key] = answer.booking.status === "cancelled" ? fmt(T.not_paid, { ref: booking.reference }) : bookedText(answer.booking);
        toast(payments.notices[key]);
        redraw(answer.booking);
      }).catch(function (failure) { toast(failure.message); });
    } else {  // closed without paying: Pay stays while the booking holds its place
      payments.notices[key] = fmt(T.payment_cancelled, { time: payByTime(booking) });
      toast(payments.notices[key]);
      redraw(booking);
    }
  }

  // Read the booking again until the bot has recorded its payment (or it ended), then show it as it stands.
  function awaitRecorded(booking, reads) {
    var until = Date.parse(booking.payment.pay_by) + SWEEP_MS;
    setTimeout(function () {
      var more = Date.now() < until;
      api(bookingPath(booking)).then(function (answer) {
        var now = answer.booking, key = bookingKey(booking);
        if (now.status === "awaiting_payment" && more) { awaitRecorded(booking, reads + 1); return; }
        delete payments.recording[key];
        if (now.status !== "awaiting_payment") {
          payments.notices[key] = now.status === "cancelled" ? fmt(T.not_paid, { ref: now.reference }) : bookedText(now);
          toast(payments.notices[key]);
        }
        redraw(now);
      }).catch(function () { if (more) awaitRecorded(booking, reads + 1); });
    }, reads < FAST_POLLS ? POLL_MS : SLOW_POLL_MS);
  }

  function refresh(booking) {
    api(bookingPath(booking)).then(function (answer) { redraw(answer.booking); }).catch(function () { /* shown as it was */ });
  }

  // What the host tells the page: phones and desktop call Telegram.WebView.receiveEvent (older clients
  // TelegramGameProxy's), the web clients post {eventType, eventData} from the parent frame.
  function receiveEvent(type, data) {
    if (typeof data === "string") { try { data = JSON.parse(data); } catch (e) { data = null; } }
    if (type !== "invoice_closed" || !data || !payments.closing[data.slug]) return;
    var closed = payments.closing[data.slug];
    delete payments.closing[data.slug];
    closed(data.status);
  }

  function listenToTelegram() {
    if (webApp) return;  // telegram-web-app.js receives the events and calls openInvoice's callback
    window.Telegram = window.Telegram || {};
    window.Telegram.WebView = window.Telegram.WebView || {};
    window.Telegram.WebView.receiveEvent = receiveEvent;
    window.TelegramGameProxy = { receiveEvent: receiveEvent };
    window.TelegramGameProxy_receiveEvent = receiveEvent;
    window.addEventListener("message", function (event) {
      if (event.source !== window.parent || typeof event.data !== "string") return;
      var message = null;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message && message.eventType) receiveEvent(message.eventType, message.eventData);
    });
  }

  var servicesTab = window.ServicesTab({
    h: h, show: show, api: api, fmt: fmt, T: T, panels: panels, duration: duration, humanDay: humanDay, addDays: addDays,
    openPanel: openPanel, selectTab: selectTab, when: when, priceNode: priceNode,
    confirm: function (draft) { state.draft = draft; drawConfirm(); },
  });

  // --- Start ---------------------------------------------------------------------------------------------

  applyTheme(fragment.get("tgWebAppThemeParams"));
  listenToTelegram();
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  document.querySelectorAll("[data-tab]").forEach(function (tab) {
    tab.onclick = function () { selectTab(tab.dataset.tab); };
  });
  document.getElementById("tab-bookings").hidden = !initData;
  Promise.all([api("/catalogue"), loadMe()]).then(function (results) {
    state.catalogue = results[0];
    banner();
    selectTab(state.tab === "bookings" && !initData ? "equipment" : state.tab);
  }).catch(function (failure) { showFailure(document.getElementById("banner"), failure); });
})();
