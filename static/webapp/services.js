/* The Services tab of the booking page: category → service (its length and price) → specialist or Any → day
   (the days with a free time marked) → time → the shared confirm step (name and phone prefilled) → a card
   naming the specialist and the cabinet. Loaded before app.js, which hands it its helpers; every rule is the
   server's (/app/api/services, /app/api/services/<id>/days, /app/api/appointments). */
window.ServicesTab = function (page) {
  "use strict";

  var h = page.h, show = page.show, T = page.T, fmt = page.fmt, panel = page.panels.services;
  var s = { catalogue: null, category: null, service: null, specialist: null, any: false, from: null, days: null,
    day: null };

  function specialistName() { return s.any ? T.any_specialist : s.specialist.name; }
  function nameOf(id) {
    var found = s.service.specialists.filter(function (person) { return person.id === id; })[0];
    return found ? found.name : "";
  }

  function step(title, back, body) {
    return [back ? h("button", { type: "button", class: "secondary", id: "service-back", onclick: back, text: T.back }) : null,
      h("h2", { text: title }), body];
  }

  function open() {
    if (s.catalogue) { draw(); return; }
    page.api("/services").then(function (body) { s.catalogue = body; draw(); })
      .catch(function (failure) { show(panel, [h("p", { class: "message error", text: failure.message })]); });
  }

  function draw() {
    if (!s.category) return drawCategories();
    if (!s.service) return drawServices();
    if (!s.specialist && !s.any) return drawSpecialists();
    if (!s.day) return drawDays();
    return drawTimes();
  }

  function drawCategories() {
    if (!s.catalogue.categories.length) { show(panel, [h("p", { class: "hint", text: T.no_services })]); return; }
    show(panel, step(T.choose_category, null, h("div", { class: "list", id: "service-categories" },
      s.catalogue.categories.map(function (category) {
        return h("button", { type: "button", class: "choice", "data-category": category.name,
          onclick: function () { s.category = category; draw(); } },
        h("span", { text: category.name }), h("small", { text: String(category.services.length) }));
      }))));
  }

  function drawServices() {
    show(panel, step(s.category.name, function () { s.category = null; draw(); }, h("div", { class: "list", id: "services" },
      s.category.services.map(function (service) {
        return h("button", { type: "button", class: "choice", "data-service": service.id,
          onclick: function () { s.service = service; draw(); } },
        h("span", { text: service.name }),
        h("small", { text: page.duration(service.duration_minutes) + (service.price_text ? " · " + service.price_text : "") }));
      }))));
  }

  function drawSpecialists() {
    var choices = [h("button", { type: "button", class: "choice", "data-specialist": "any",
      onclick: function () { pickSpecialist(null); } }, h("span", { text: T.any_specialist }))];
    s.service.specialists.forEach(function (person) {
      choices.push(h("button", { type: "button", class: "choice", "data-specialist": person.id,
        onclick: function () { pickSpecialist(person); } }, h("span", { text: person.name })));
    });
    show(panel, step(T.choose_specialist, function () { s.service = null; draw(); },
      [h("p", { class: "hint", text: s.service.name + " · " + page.duration(s.service.duration_minutes) }),
        h("div", { class: "list", id: "specialists" }, choices)]));
  }

  function pickSpecialist(person) {
    s.specialist = person; s.any = !person; s.day = null;
    loadDays(s.catalogue.today);
  }

  function loadDays(from) {
    s.from = from;
    var path = "/services/" + s.service.id + "/days?from=" + from + (s.specialist ? "&specialist_id=" + s.specialist.id : "");
    return page.api(path).then(function (body) { s.days = body.days; draw(); })
      .catch(function (failure) { show(panel, [h("p", { class: "message error", text: failure.message })]); });
  }

  function drawDays() {
    var cells = s.days.map(function (day) {
      var free = day.slots.length > 0;
      return h("button", { type: "button", class: free ? "free" : "past", "data-date": day.date, disabled: !free,
        title: day.reason ? (T["reason_" + day.reason] || "") : null, onclick: function () { s.day = day; draw(); } },
      h("b", { text: String(+day.date.slice(8, 10)) }),
      free ? h("small", { text: String(day.slots.length) }) : null);
    });
    // Under their weekdays, like the equipment calendar: a blank for each day of the week before the first.
    var offset = (new Date(s.days[0].date + "T12:00:00Z").getUTCDay() + 6) % 7, blanks = [];
    for (var i = 0; i < offset; i++) blanks.push(h("span"));
    cells = T.weekdays.split(" ").map(function (wd) { return h("span", { class: "wd", text: wd }); }).concat(blanks, cells);
    var last = s.days[s.days.length - 1].date, cannotGoBack = s.from <= s.catalogue.today;
    show(panel, step(T.choose_day, function () { s.specialist = null; s.any = false; draw(); }, [
      h("p", { class: "hint", text: s.service.name + " · " + specialistName() }),
      h("div", { class: "month" },
        h("button", { type: "button", class: "secondary", "aria-label": "prev", disabled: cannotGoBack,
          onclick: function () { loadDays(page.addDays(s.from, -s.days.length)); }, text: T.month_prev }),
        h("strong", { text: page.humanDay(s.from) + " — " + page.humanDay(last) }),
        h("button", { type: "button", class: "secondary", "aria-label": "next", disabled: last >= s.catalogue.last_day,
          onclick: function () { loadDays(page.addDays(last, 1)); }, text: T.month_next })),
      h("div", { class: "calendar", id: "service-days" }, cells),
      s.days.some(function (day) { return day.slots.length; }) ? null : h("p", { class: "hint", text: T.no_free_time }),
    ]));
  }

  function drawTimes() {
    var times = s.day.slots.map(function (slot) {
      var start = slot.starts_at.slice(11, 16);
      return h("button", { type: "button", class: "slot free", "data-start": start,
        onclick: function () { pickTime(slot); }, text: start });
    });
    show(panel, step(T.choose_time, function () { s.day = null; draw(); }, [
      h("p", { class: "hint", text: s.service.name + " · " + specialistName() + " · " + page.humanDay(s.day.date) }),
      h("div", { class: "times", id: "service-times" }, times)]));
  }

  function lines(who, startsAt) {
    return [s.service.name + (s.service.price_text ? " · " + s.service.price_text : ""), who,
      page.when(startsAt) + " · " + page.duration(s.service.duration_minutes)];
  }

  function pickTime(slot) {
    var who = s.any ? T.any_specialist : s.specialist.name;
    if (s.any && slot.specialist_ids.length === 1) who = nameOf(slot.specialist_ids[0]);
    var draft = {
      path: "/appointments",
      body: { service_id: s.service.id, specialist_id: s.specialist ? s.specialist.id : null, starts_at: slot.starts_at },
      lines: lines(who, slot.starts_at),
      back: "services",
      done: booked,
      waitlist: false,
      // A refusal's alternatives name a specialist and a start: one tap books that one.
      alternativeLabel: function (alt) { return page.when(alt.starts_at) + " · " + nameOf(alt.specialist_id); },
      useAlternative: function (alt) {
        draft.body.specialist_id = alt.specialist_id; draft.body.starts_at = alt.starts_at;
        draft.lines = lines(nameOf(alt.specialist_id), alt.starts_at);
      },
    };
    page.confirm(draft);
  }

  function booked(booking) {
    s.day = null; s.days = null; s.specialist = null; s.any = false;
    page.openPanel("services");
    show(panel, [h("div", { class: "card", id: "appointment-card" },
      h("div", null, h("strong", { text: booking.reference + " " + booking.service })),
      h("div", { text: booking.when }),
      h("div", { text: fmt(T.with_specialist, { name: booking.specialist }) }),
      h("div", { text: fmt(T.in_cabinet, { name: booking.cabinet }) }),
      booking.price ? page.priceNode(booking.price, "appointment-price") : null,
      h("div", { class: "status", text: booking.status_label })),
    h("button", { type: "button", class: "primary", onclick: function () { page.selectTab("bookings"); }, text: T.my_bookings }),
    h("button", { type: "button", class: "secondary", style: "margin-top:8px", onclick: draw, text: T.book_another })]);
  }

  return { open: open };
};
