/*
 * Wegweiser chat widget: plain JavaScript, no build step.
 *
 * Embed with one line (see README, "Embed the widget"):
 *   <script src="https://<web service>/widget/wegweiser.js" data-server="https://<rasa>" defer></script>
 * Optional attributes: data-lang="ar" (first UI language), data-open="true".
 *
 * Talks to Rasa's socketio channel (bot/channels/socketio.py): session_request ->
 * session_confirm, user_uttered {message, session_id, metadata: {language}} -> bot_uttered.
 * Security: message text is only ever inserted with textContent / createTextNode,
 * and links are created only for http(s), tel: and mailto: targets.
 * Privacy: the transcript lives in memory only. Storage, which every script of the
 * embedding site can read, holds only the conversation id, the language and settings.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.Wegweiser) return;
  var BASE = new URL(".", script.src).href;
  var SERVER = (script.dataset.server || location.origin).replace(/\/+$/, "");
  var KEY = {
    session: "wegweiser.session",
    lang: "wegweiser.lang",
    remember: "wegweiser.remember",
    open: "wegweiser.open",
  };
  var LEGACY_LOG = "wegweiser.log"; // where earlier versions kept the transcript
  var MAX_LOG = 200; // entries kept in memory
  var MAX_CHARS = 2000; // longest message the widget sends
  var DELETE_PAYLOAD = "/delete_my_data";
  var AFFIRM_PAYLOAD = "/affirm"; // the user already confirmed in the widget
  var QUIET_MS = 1500; // a turn is over when the bot has been quiet this long
  var MAX_WAIT_MS = 20000;
  var STATUS_TIMEOUT_MS = 10000;

  // ---- storage: sessionStorage by default, localStorage after "remember me" ----
  function safe(fn, fallback) {
    try {
      return fn();
    } catch (e) {
      return fallback; // storage can be disabled (privacy modes)
    }
  }
  function remembered() {
    return safe(function () { return localStorage.getItem(KEY.remember) === "1"; }, false);
  }
  function store() {
    return remembered() ? localStorage : sessionStorage;
  }
  function load(key) {
    return safe(function () { return store().getItem(key); }, null);
  }
  function save(key, value) {
    safe(function () {
      if (value === null) store().removeItem(key);
      else store().setItem(key, value);
    });
  }
  // Every deletion path ends here: nothing of the widget stays on the device.
  function forgetDevice() {
    safe(function () {
      [localStorage, sessionStorage].forEach(function (storage) {
        [KEY.session, KEY.lang, KEY.remember, LEGACY_LOG].forEach(function (k) { storage.removeItem(k); });
      });
    });
  }

  // ---- state ----
  var data = null; // strings.json
  var lang = null; // UI language
  var spoken = load(KEY.lang); // the conversation's language, once chosen or answered in
  var session = load(KEY.session); // the conversation id: changed only by adoptSession()
  var log = []; // the transcript, in memory only
  var socket = null;
  var ready = false; // session confirmed on the current connection
  var connectedOnce = false;
  var abandoned = {}; // ids of conversations the user left ("new"/"delete")
  var queue = []; // messages waiting for a confirmed session
  var deleting = null; // {started, lastBot, affirmed} while a deletion request is pending
  var typingTimer = null;
  var turnUsers = []; // the user's entries waiting for the bot's reply
  var turnFirst = null; // the first bubble of the reply being received
  var bound = []; // [element, property, key] for UI strings
  var ui = {};

  // ---- the conversation id: all handling of it is here ----
  // Rasa confirms the id in `session_confirm` (a string or {session_id}); the widget sends
  // it back with `session_request` and every message, and keeps it in storage so that a
  // reload continues the conversation. Ids issued and signed by the server change only this.
  // adoptSession(null) forgets the id. Returns false for an answer the widget must ignore.
  function adoptSession(payload) {
    var id = payload && typeof payload === "object" ? payload.session_id : payload;
    if (payload !== null && (typeof id !== "string" || !id || abandoned[id])) return false;
    session = payload === null ? null : id;
    save(KEY.session, session);
    return true;
  }

  function t(key) {
    return (data.strings[lang] && data.strings[lang][key]) || data.strings[data.default][key];
  }
  function langInfo(code) {
    return data.languages.filter(function (l) { return l.code === code; })[0];
  }
  function dirOf(code) {
    return (langInfo(code) || langInfo(lang)).dir;
  }
  function pickLanguage() {
    var wanted = [load(KEY.lang), script.dataset.lang].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      var code = (wanted[i] || "").toLowerCase().split(/[-_]/)[0];
      if (code === "prs") code = "fa"; // Dari is served by the Persian texts
      if (langInfo(code)) return code;
    }
    return data.default;
  }

  // ---- DOM helpers ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), attrs[name]);
      else if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  // A globe: recognisable as "language" whatever language the widget is in.
  function globeIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    [["viewBox", "0 0 24 24"], ["class", "ww-icon"], ["aria-hidden", "true"], ["focusable", "false"]]
      .forEach(function (a) { svg.setAttribute(a[0], a[1]); });
    [["circle", { cx: 12, cy: 12, r: 9 }], ["ellipse", { cx: 12, cy: 12, rx: 4, ry: 9 }], ["path", { d: "M3 12h18" }]]
      .forEach(function (shape) {
        var node = document.createElementNS(ns, shape[0]);
        Object.keys(shape[1]).forEach(function (k) { node.setAttribute(k, shape[1][k]); });
        svg.appendChild(node);
      });
    return svg;
  }
  function bind(node, property, key) {
    bound.push([node, property, key]);
    return node;
  }
  function applyStrings() {
    var info = langInfo(lang);
    ui.root.setAttribute("lang", lang);
    ui.root.setAttribute("dir", info.dir);
    inputDirection();
    bound.forEach(function (b) {
      if (b[1] === "text") b[0].textContent = t(b[2]);
      else b[0].setAttribute(b[1], t(b[2]));
    });
    ui.langCurrent.textContent = info.name;
    ui.langList.querySelectorAll("button").forEach(function (button) {
      button.setAttribute("aria-current", button.getAttribute("lang") === lang ? "true" : "false");
    });
  }

  // Phone numbers, e-mail addresses and URLs (with http(s):// or www.) stay
  // left-to-right inside RTL text.
  var TOKEN = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]}'"])|(\bwww\.[\w-]+(?:\.[\w-]+)+(?:[/?#][^\s<>"]*[^\s<>".,;:!?)\]}'"])?)|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)|((?:\+|\b0)\d[\d /().-]{4,}\d)/g;

  function telHref(phone) {
    var digits = phone.replace(/[^\d+]/g, "");
    if (/^0[1-9]/.test(digits)) digits = "+49" + digits.slice(1); // German numbers
    return "tel:" + digits;
  }
  function ltrLink(href, text) {
    var attrs = { href: href, dir: "ltr" };
    if (/^https?:/.test(href)) {
      attrs.target = "_blank";
      attrs.rel = "noopener noreferrer";
    }
    return el("a", attrs, [el("bdi", { dir: "ltr", text: text })]);
  }
  function richText(parent, text) {
    var last = 0;
    String(text).replace(TOKEN, function (match, url, www, email, phone, offset) {
      if (phone && phone.replace(/\D/g, "").length < 6) return match; // dates, postcodes
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      if (url) parent.appendChild(ltrLink(url, url));
      else if (www) parent.appendChild(ltrLink("https://" + www, www));
      else if (email) parent.appendChild(ltrLink("mailto:" + email, email));
      else parent.appendChild(ltrLink(telHref(phone), phone));
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(String(text).slice(last)));
    return parent;
  }
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
  }
  function hostOf(url) {
    return safe(function () { return new URL(url).hostname.replace(/^www\./, ""); }, url);
  }

  // ---- rendering ----
  // <bdi>: dir="auto" on a bubble ignores it, so the label never decides the direction.
  function srLabel(key) {
    return bind(el("bdi", { class: "ww-sr-only" }), "text", key);
  }
  function cardRow(labelKey, content) {
    return el("li", { class: "ww-card-row" }, [
      el("bdi", { class: "ww-card-label" }, [bind(el("span"), "text", labelKey), ":"]),
      " ",
      content,
    ]);
  }
  // A tap must dial the office: only international numbers (+49…) and the short national
  // service numbers (115, 116 117, …) become links. A number without its area code
  // (e.g. "88-38883") is shown as text, as the server wrote it.
  function phoneContent(card) {
    var href = typeof card.tel === "string" ? card.tel : telHref(card.phone);
    if (/^tel:(\+\d{6,}|11\d{1,4})$/.test(href)) return ltrLink(href, card.phone);
    return el("bdi", { class: "ww-phone", dir: "ltr", text: card.phone });
  }
  function sourceDate(card) {
    return card.source_note || card.source_date || null;
  }
  function renderCard(card) {
    var rows = [];
    if (card.address) {
      var address = el("span", { dir: "auto" }, [card.address]);
      if (safeUrl(card.map)) {
        address.appendChild(document.createTextNode(" · "));
        address.appendChild(bind(el("a", {
          class: "ww-map", href: card.map, target: "_blank", rel: "noopener noreferrer",
        }), "text", "map"));
      }
      rows.push(cardRow("address", address));
    }
    if (card.phone) {
      var phone = phoneContent(card);
      // e.g. "without area code; local network Essen: 0201", in the reply's language
      if (card.phone_note) phone = el("span", {}, [phone, " ", el("span", { dir: "auto", text: card.phone_note })]);
      rows.push(cardRow("phone", phone));
    }
    (card.email || []).forEach(function (mail) {
      rows.push(cardRow("email", ltrLink("mailto:" + mail, mail)));
    });
    if (safeUrl(card.website)) rows.push(cardRow("website", ltrLink(card.website, hostOf(card.website))));
    if (card.opening_hours) rows.push(cardRow("hours", el("span", { dir: "auto", text: card.opening_hours })));
    var source = null;
    if (safeUrl(card.source)) {
      source = el("p", { class: "ww-card-source" }, [
        el("bdi", {}, [bind(el("span"), "text", "source"), ":"]), " ", ltrLink(card.source, hostOf(card.source)),
        // The space stays outside the isolated date, so in RTL the date does not touch the link.
        // source_note says the date of the source, or that it is unknown (never a guess).
        sourceDate(card) ? " " : null,
        sourceDate(card) ? el("bdi", { class: "ww-card-date", dir: "auto", text: "(" + sourceDate(card) + ")" }) : null,
      ]);
    }
    // The official (German) name is isolated; the bubble takes its direction from the
    // language of the reply (renderEntry), never from a German name at its start.
    return el("article", { class: "ww-card" }, [
      el("h3", { class: "ww-card-name" }, [el("bdi", { text: card.name || "" })]),
      card.description ? el("p", { class: "ww-card-desc", text: card.description }) : null,
      el("ul", { class: "ww-card-rows" }, rows),
      card.check_before_visit ? el("p", { class: "ww-card-check", dir: "auto", text: card.check_before_visit }) : null,
      source,
    ]);
  }
  // A bubble's direction is that of the language it is in (the reply's language, and for the
  // user's message the language the bot recognised), not of its first letter: an Arabic
  // answer that opens with "Jobcenter Essen" still reads right to left.
  function renderEntry(entry) {
    if (entry.from === "note") {
      // A widget text: it follows the UI language and direction (the root's).
      return el("p", { class: "ww-note" }, [bind(el("span"), "text", entry.key)]);
    }
    var bubble = el("div", { class: "ww-msg ww-" + entry.from, lang: entry.lang, dir: dirOf(entry.lang) });
    entry.node = bubble;
    bubble.appendChild(srLabel(entry.from === "user" ? "you_said" : "bot_said"));
    if (entry.custom && entry.custom.type === "office_card") bubble.appendChild(renderCard(entry.custom));
    else bubble.appendChild(richText(el("span", { class: "ww-text" }), entry.text || ""));
    return bubble;
  }
  function renderReplies(replies, code) {
    var group = el("div", { class: "ww-replies", role: "group" });
    bind(group, "aria-label", "bot_said");
    replies.forEach(function (reply) {
      group.appendChild(el("button", {
        type: "button", class: "ww-reply", lang: code, dir: dirOf(code), text: reply.title,
        onclick: function (event) {
          send(reply.payload, reply.title);
          focusAfterReply(event); // the button is gone: focus must not fall to the page
        },
      }));
    });
    return group;
  }
  function renderAll() {
    // Drop the bindings of the old bubbles, not the log's own aria-label.
    bound = bound.filter(function (b) { return b[0] === ui.log || !ui.log.contains(b[0]); });
    ui.log.textContent = "";
    log.forEach(function (entry, i) {
      ui.log.appendChild(renderEntry(entry));
      if (i === log.length - 1 && entry.replies && entry.replies.length) {
        ui.log.appendChild(renderReplies(entry.replies, entry.lang));
      }
    });
    applyStrings();
    ui.log.scrollTop = ui.log.scrollHeight;
  }
  function addEntry(entry) {
    var old = ui.log.querySelector(".ww-replies");
    if (old) old.remove(); // only the newest message's buttons stay active
    log.push(entry);
    if (log.length > MAX_LOG) log = log.slice(-MAX_LOG);
    var node = renderEntry(entry);
    ui.log.appendChild(node);
    if (entry.replies && entry.replies.length) ui.log.appendChild(renderReplies(entry.replies, entry.lang));
    applyStrings();
    if (entry.from === "bot" && !turnFirst) turnFirst = node;
    scrollToReply();
  }
  // A reply of several bubbles is read from its first one: show the newest bubble only
  // while the whole reply fits, otherwise keep the reply's first bubble at the top
  // (on a phone, the primary office would otherwise be scrolled away).
  function scrollToReply() {
    var bottom = ui.log.scrollHeight;
    if (!turnFirst || !turnFirst.isConnected) {
      ui.log.scrollTop = bottom;
      return;
    }
    var offset = turnFirst.getBoundingClientRect().top - ui.log.getBoundingClientRect().top;
    ui.log.scrollTop = Math.min(bottom, ui.log.scrollTop + offset - 8);
  }
  // After a tap on a phone, focus the conversation: focusing the field would pop up the
  // keyboard over the bot's answer and its buttons. Keyboard and mouse users go on typing.
  function focusAfterReply(event) {
    if (event && event.pointerType === "touch") ui.log.focus({ preventScroll: true });
    else ui.input.focus();
  }
  function announce(text) {
    ui.live.appendChild(el("p", { text: text }));
    while (ui.live.childNodes.length > 4) ui.live.removeChild(ui.live.firstChild);
  }
  // Feedback on the message field (empty send, text cut to MAX_CHARS), read out as well.
  function notice(key) {
    ui.notice.textContent = key ? t(key).replace("{max}", String(MAX_CHARS)) : "";
    if (key) ui.input.setAttribute("aria-describedby", "ww-notice");
    else ui.input.removeAttribute("aria-describedby");
  }
  // Empty, the field shows the placeholder in the UI's direction; once there is text,
  // the text's own first letter decides (a German name typed in an Arabic chat).
  function inputDirection() {
    ui.input.setAttribute("dir", ui.input.value ? "auto" : langInfo(lang).dir);
  }
  function onInput() {
    if (ui.input.value.length > MAX_CHARS) {
      ui.input.value = ui.input.value.slice(0, MAX_CHARS);
      notice("too_long");
    } else if (ui.notice.textContent && ui.input.value.trim()) {
      notice(null);
    }
    inputDirection();
  }
  // While the chat covers the whole page (a phone), Tab stays inside it: the page behind
  // cannot be seen, so focus there would be lost.
  function coversPage() {
    var box = ui.panel.getBoundingClientRect();
    var root = document.documentElement;
    return !ui.panel.hidden && box.width >= root.clientWidth - 1 && box.height >= root.clientHeight - 1;
  }
  function trapFocus(event) {
    if (event.key !== "Tab" || !coversPage()) return;
    var items = Array.prototype.filter.call(
      ui.panel.querySelectorAll("button, input, a[href], [tabindex]:not([tabindex='-1'])"),
      function (node) { return !node.disabled && node.getClientRects().length > 0; }
    );
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var active = document.activeElement;
    if (event.shiftKey && (active === first || !ui.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !ui.panel.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }
  function setStatus(key) {
    ui.status.hidden = !key;
    ui.status.textContent = key ? t(key) : "";
  }
  function typing(on) {
    clearTimeout(typingTimer);
    if (on && ui.typing.hidden) announce(t("typing")); // the dots alone say nothing to a screen reader
    ui.typing.hidden = !on;
    if (on) typingTimer = setTimeout(function () { ui.typing.hidden = true; }, 30000);
  }

  // ---- conversation ----
  // The language hint for the bot: the conversation's language once the user chose it or
  // the bot answered in it, else the browser's. So "new conversation" or a deletion does
  // not switch an Arabic conversation back to the browser's German.
  function metadata() {
    return { language: spoken || navigator.language || lang };
  }
  function flush() {
    while (ready && queue.length) {
      socket.emit("user_uttered", { message: queue.shift(), session_id: session, metadata: metadata() });
      typing(true);
    }
  }
  function send(message, shown) {
    turnFirst = null;
    if (shown) {
      var entry = { from: "user", text: shown, lang: lang };
      addEntry(entry);
      turnUsers.push(entry);
    }
    queue.push(message);
    connect();
    flush();
  }
  function isDeletionReply(message) {
    // The server flags every event of the "deleted" reply (bot/channels/socketio.py).
    return message.conversation_deleted === true;
  }
  function onBot(message) {
    if (!message || typeof message !== "object") return;
    if (!deleting && session && isDeletionReply(message)) {
      // The conversation was deleted on request in the chat ("delete my data"): the device
      // forgets it too, as after the menu's "delete".
      awaitDeletion(session, true);
      return;
    }
    if (deleting) {
      // Replies to the deletion request are not shown: the widget reports the outcome.
      // The bot asks "shall I delete?" with a yes button; the user already said yes here.
      deleting.lastBot = Date.now();
      var buttons = message.quick_replies || message.buttons || [];
      var yes = Array.isArray(buttons) && buttons.some(function (b) { return b && b.payload === AFFIRM_PAYLOAD; });
      if (yes && !deleting.affirmed) {
        deleting.affirmed = true;
        socket.emit("user_uttered", { message: AFFIRM_PAYLOAD, session_id: deleting.session, metadata: metadata() });
      }
      return;
    }
    typing(false);
    followLanguage(message.language);
    var replyLang = langInfo(message.language) ? message.language : lang;
    // The bot has recognised the language of the user's message: its bubble follows.
    turnUsers.forEach(function (user) {
      user.lang = replyLang;
      if (user.node) {
        user.node.setAttribute("lang", replyLang);
        user.node.setAttribute("dir", dirOf(replyLang));
      }
    });
    turnUsers = [];
    var entry = { from: "bot", lang: replyLang, text: typeof message.text === "string" ? message.text : "" };
    if (message.custom && message.custom.type === "office_card") entry.custom = message.custom;
    var replies = message.quick_replies || message.buttons;
    if (Array.isArray(replies)) {
      entry.replies = replies.filter(function (r) { return r && r.title && r.payload; })
        .map(function (r) { return { title: String(r.title), payload: String(r.payload) }; });
    }
    if (!entry.text && !entry.custom) return; // nothing we can show
    addEntry(entry);
    var card = entry.custom;
    announce(t("bot_said") + ": " + (card ? [card.name, card.address, card.phone].filter(Boolean).join(", ") : entry.text));
  }
  // The widget speaks the conversation's language: when the bot answers in another
  // language (the user wrote in it), the UI texts and the direction follow.
  function followLanguage(code) {
    if (typeof code !== "string" || code === lang || !langInfo(code)) return;
    spoken = code;
    lang = code;
    save(KEY.lang, code);
    applyStrings();
  }
  function greetIfNew() {
    // The bot's greeting opens a new conversation; a restored one just continues.
    if (!log.length && !session) send("/greet", null);
  }
  function connect() {
    if (socket) return;
    setStatus("connecting");
    // WebSocket first: one connection stays with one Rasa worker, so a server with several
    // workers (RASA_WORKERS) needs no sticky sessions. Long-polling only where WebSocket
    // is blocked (tryAllTransports, Socket.IO >= 4.8); with several workers that case
    // needs sticky sessions at the proxy (README, "Several Rasa workers").
    socket = window.io(SERVER, {
      path: "/socket.io",
      reconnectionDelayMax: 5000,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    socket.on("connect", function () {
      connectedOnce = true;
      socket.emit("session_request", { session_id: session });
    });
    socket.on("session_confirm", function (payload) {
      if (deleting || !adoptSession(payload)) return; // e.g. late, for a conversation the user left
      ready = true;
      setStatus(null);
      flush();
    });
    socket.on("bot_uttered", onBot);
    // The server drops events of a socket that sends too fast (bot/channels/socketio.py):
    // say so instead of leaving the typing indicator running.
    socket.on("slow_down", function () {
      typing(false);
      addEntry({ from: "note", key: "slow_down" });
      announce(t("slow_down"));
    });
    socket.on("disconnect", function (reason) {
      ready = false;
      typing(false);
      setStatus("offline");
      if (reason === "io server disconnect") socket.connect(); // not retried automatically
    });
    socket.on("connect_error", function () {
      ready = false;
      setStatus(connectedOnce ? "offline" : "unavailable");
    });
  }
  function forgetConversation() {
    if (session) abandoned[session] = true;
    adoptSession(null);
    log = [];
    queue = [];
    turnUsers = [];
    turnFirst = null;
    renderAll();
  }
  function restartSession(noteKey) {
    forgetConversation();
    addEntry({ from: "note", key: noteKey });
    announce(t(noteKey));
    if (socket && socket.connected) {
      ready = false;
      socket.emit("session_request", { session_id: null });
    }
    send("/greet", null);
  }
  function newConversation() {
    closeMenus();
    restartSession("new_started");
    ui.input.focus();
  }
  function deleteConversation() {
    closeMenus();
    if (!session || !socket || !ready) {
      forgetDevice();
      ui.remember.checked = false;
      restartSession("delete_unconfirmed");
      ui.input.focus();
      return;
    }
    var id = session;
    awaitDeletion(id, false);
    socket.emit("user_uttered", { message: DELETE_PAYLOAD, session_id: id, metadata: metadata() });
    ui.input.focus(); // the menu is closed: focus must not fall to the page
  }
  // The device forgets at once (screen and storage); the note that follows says whether the
  // server confirmed the deletion. `asked`: the bot has already said it deleted.
  function awaitDeletion(id, asked) {
    deleting = { session: id, started: Date.now(), lastBot: asked ? Date.now() : null, affirmed: asked };
    ready = false; // nothing more goes into the deleted conversation
    forgetConversation();
    forgetDevice();
    ui.remember.checked = false;
    typing(true);
    var poll = setInterval(function () {
      var now = Date.now();
      var quiet = deleting.lastBot && now - deleting.lastBot > QUIET_MS;
      if (!quiet && now - deleting.started < MAX_WAIT_MS) return;
      clearInterval(poll);
      // Only the server's tracker store can tell whether the conversation is gone.
      deletionStatus(deleting.session, function (deleted) {
        deleting = null;
        typing(false);
        restartSession(deleted ? "deleted" : "delete_unconfirmed");
        if (!ui.panel.hidden) ui.input.focus();
      });
    }, 200);
  }
  function deletionStatus(id, done) {
    var answered = false;
    var timer = setTimeout(function () { finish(false); }, STATUS_TIMEOUT_MS);
    function finish(deleted) {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      done(deleted);
    }
    socket.emit("deletion_status", { session_id: id }, function (reply) {
      finish(Boolean(reply && reply.deleted === true));
    });
  }

  // ---- remember me ----
  function setRemember(on) {
    var lang_ = load(KEY.lang);
    safe(function () {
      [KEY.session, KEY.lang].forEach(function (k) {
        localStorage.removeItem(k);
        sessionStorage.removeItem(k);
      });
      if (on) localStorage.setItem(KEY.remember, "1");
      else localStorage.removeItem(KEY.remember);
    });
    if (session) adoptSession(session); // stored again, now in the chosen storage
    if (lang_) save(KEY.lang, lang_);
  }

  // ---- language ----
  function chooseLanguage(code) {
    closeMenus();
    lang = code;
    spoken = code;
    save(KEY.lang, code);
    applyStrings();
    ui.langButton.focus();
    send('/choose_language{"language": "' + code + '"}', langInfo(code).name);
  }

  // ---- open / close and menus ----
  function closeMenus() {
    [[ui.langButton, ui.langList], [ui.optionsButton, ui.options]].forEach(function (pair) {
      pair[0].setAttribute("aria-expanded", "false");
      pair[1].hidden = true;
    });
    ui.confirm.hidden = true;
  }
  function toggle(button, panel) {
    var open = panel.hidden;
    closeMenus();
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      var first = panel.querySelector("[aria-current=true], button, input");
      if (first) first.focus();
    }
  }
  function markModal() {
    ui.panel.setAttribute("aria-modal", String(coversPage()));
  }
  function open(event) {
    ui.panel.hidden = false;
    markModal();
    ui.launcher.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    safe(function () { sessionStorage.setItem(KEY.open, "1"); });
    connect();
    greetIfNew();
    ui.log.scrollTop = ui.log.scrollHeight;
    focusAfterReply(event);
  }
  function close() {
    closeMenus();
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    safe(function () { sessionStorage.removeItem(KEY.open); });
    ui.launcher.focus();
  }

  function build() {
    ui.live = el("div", { class: "ww-live ww-sr-only", "aria-live": "polite", "aria-atomic": "false" });
    ui.launcher = el("button", {
      type: "button", class: "ww-launcher", "aria-controls": "ww-panel", "aria-expanded": "false", onclick: open,
    }, [bind(el("span"), "text", "launcher")]);

    ui.langCurrent = el("span");
    ui.langButton = el("button", {
      type: "button", class: "ww-tool", "aria-expanded": "false", "aria-controls": "ww-langs",
      onclick: function () { toggle(ui.langButton, ui.langList); },
    }, [globeIcon(), srLabel("language"), ui.langCurrent]);
    ui.langList = el("ul", { id: "ww-langs", class: "ww-menu", hidden: "" }, data.languages.map(function (l) {
      return el("li", {}, [el("button", {
        type: "button", lang: l.code, dir: l.dir, text: l.name,
        onclick: function () { chooseLanguage(l.code); },
      })]);
    }));
    bind(ui.langList, "aria-label", "language");

    ui.optionsButton = el("button", {
      type: "button", class: "ww-tool", "aria-expanded": "false", "aria-controls": "ww-options",
      onclick: function () { toggle(ui.optionsButton, ui.options); },
    }, [bind(el("span"), "text", "options")]);
    ui.remember = el("input", {
      type: "checkbox", id: "ww-remember", "aria-describedby": "ww-remember-hint",
      onchange: function () { setRemember(ui.remember.checked); },
    });
    ui.remember.checked = remembered();
    ui.confirmYes = bind(el("button", { type: "button", class: "ww-danger", onclick: deleteConversation }), "text", "delete_confirm");
    ui.confirm = el("div", { class: "ww-confirm", hidden: "", role: "group" }, [
      bind(el("p", { dir: "auto" }), "text", "delete_question"),
      ui.confirmYes,
      bind(el("button", { type: "button", onclick: function () { ui.confirm.hidden = true; ui.deleteButton.focus(); } }), "text", "cancel"),
    ]);
    ui.deleteButton = bind(el("button", {
      type: "button", onclick: function () { ui.confirm.hidden = false; ui.confirmYes.focus(); },
    }), "text", "delete_conversation");
    ui.options = el("div", { id: "ww-options", class: "ww-menu ww-options", hidden: "" }, [
      el("p", { class: "ww-check" }, [ui.remember, " ", bind(el("label", { for: "ww-remember" }), "text", "remember")]),
      bind(el("p", { id: "ww-remember-hint", class: "ww-hint", dir: "auto" }), "text", "remember_hint"),
      bind(el("button", { type: "button", onclick: newConversation }), "text", "new_conversation"),
      ui.deleteButton,
      ui.confirm,
    ]);
    bind(ui.options, "aria-label", "options");

    ui.closeButton = el("button", { type: "button", class: "ww-tool ww-close", onclick: close }, [
      el("span", { "aria-hidden": "true", text: "✕" }), srLabel("close"),
    ]);
    ui.log = el("div", { class: "ww-log", role: "region", tabindex: "0" });
    bind(ui.log, "aria-label", "log_label");
    ui.typing = el("div", { class: "ww-typing", hidden: "" }, [
      el("span", { class: "ww-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
      srLabel("typing"),
    ]);
    ui.status = el("p", { class: "ww-status", role: "status", hidden: "" });
    // No maxlength: the browser would cut a long paste silently; onInput cuts and says so.
    ui.input = el("input", { id: "ww-input", type: "text", autocomplete: "off", oninput: onInput });
    bind(ui.input, "placeholder", "placeholder");
    ui.notice = el("p", { id: "ww-notice", class: "ww-notice", "aria-live": "polite" });
    ui.form = el("form", { class: "ww-form", onsubmit: function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) {
        ui.input.value = ""; // spaces only: nothing to keep
        inputDirection();
        notice("empty_message");
        ui.input.focus();
        return;
      }
      notice(null);
      ui.input.value = "";
      inputDirection();
      send(text, text);
    } }, [
      bind(el("label", { for: "ww-input", class: "ww-sr-only" }), "text", "message_label"),
      ui.input,
      bind(el("button", { type: "submit", class: "ww-send" }), "text", "send"),
    ]);

    // A dialog next to the page on a desktop; modal while it covers a phone's screen.
    ui.panel = el("section", {
      id: "ww-panel", class: "ww-panel", role: "dialog", "aria-modal": "false", hidden: "", "aria-labelledby": "ww-title",
    }, [
      el("header", { class: "ww-header" }, [
        el("div", { class: "ww-heading" }, [
          bind(el("h2", { id: "ww-title" }), "text", "title"),
          bind(el("p", { class: "ww-subtitle" }), "text", "subtitle"),
        ]),
        el("div", { class: "ww-tools" }, [ui.langButton, ui.optionsButton, ui.closeButton]),
      ]),
      ui.langList,
      ui.options,
      bind(el("p", { class: "ww-privacy", dir: "auto" }), "text", "privacy"),
      ui.log,
      ui.typing,
      ui.status,
      ui.notice,
      ui.form,
    ]);
    ui.panel.addEventListener("keydown", trapFocus);
    window.addEventListener("resize", markModal); // a phone turned, a window resized
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      if (!ui.langList.hidden || !ui.options.hidden) {
        var button = ui.langList.hidden ? ui.optionsButton : ui.langButton;
        closeMenus();
        button.focus();
      } else {
        close();
      }
    });
    // The widget sits at the end of the host page's lines (bottom right on a German page)
    // and stays there when the conversation turns Arabic or Persian.
    var side = getComputedStyle(document.documentElement).direction === "rtl" ? "ww-left" : "ww-right";
    ui.root = el("div", { class: "ww-root " + side }, [ui.launcher, ui.panel, ui.live]);
    document.body.appendChild(ui.root);
    // A continued conversation: its earlier messages were deliberately not stored.
    if (session) log.push({ from: "note", key: "earlier_not_kept" });
    renderAll();
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = el("script", { src: src });
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function start() {
    document.head.appendChild(el("link", { rel: "stylesheet", href: BASE + "wegweiser.css" }));
    Promise.all([
      fetch(BASE + "strings.json").then(function (r) {
        if (!r.ok) throw new Error("strings.json: HTTP " + r.status);
        return r.json();
      }),
      window.io ? Promise.resolve() : loadScript(BASE + "vendor/socket.io.min.js"),
    ]).then(function (results) {
      data = results[0];
      safe(function () { // transcripts stored by earlier versions of the widget
        localStorage.removeItem(LEGACY_LOG);
        sessionStorage.removeItem(LEGACY_LOG);
      });
      lang = pickLanguage();
      build();
      var wasOpen = safe(function () { return sessionStorage.getItem(KEY.open) === "1"; }, false);
      if (wasOpen || script.dataset.open === "true") open();
    }).catch(function (error) {
      console.error("Wegweiser widget could not start:", error);
    });
  }

  window.Wegweiser = {
    open: function () { if (ui.panel) open(null); },
    close: function () { if (ui.panel) close(); },
    get socket() { return socket; }, // for diagnostics and the browser tests
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
