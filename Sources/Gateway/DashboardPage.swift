/// The gateway's dashboard: plain HTML, CSS and JavaScript, no build step, nothing from a CDN.
///
/// It polls `/api/v1/gateway/workers` and `/api/v1/gateway/stats` every two seconds and streams the
/// playground's replies from `/v1/chat/completions`, so it shows exactly what any client would get.
/// The look follows the arena's pages. A raw string, so the script's backslashes stay as written.
public enum DashboardPage {
    /// The gateway's API key in the browser, for the dashboard and the arena's pages: kept for the
    /// tab under one name, added to requests by `withKey`, asked for by `authorizedFetch` on a 401.
    public static let apiKeyScript = """
        const keyName = "switchyard-api-key";
        function withKey(options) {
          const key = sessionStorage.getItem(keyName);
          return { ...options, headers: { ...(options.headers || {}), ...(key ? { Authorization: "Bearer " + key } : {}) } };
        }
        async function authorizedFetch(path, options = {}) {
          const response = await fetch(path, withKey(options));
          if (response.status !== 401) return response;
          const key = prompt("This gateway needs an API key:");
          if (!key) return response;
          sessionStorage.setItem(keyName, key.trim());
          return fetch(path, withKey(options));
        }
        """

    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Switchyard</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
          :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7fb; }
          body { margin: 0 auto; max-width: 1100px; padding: 24px; }
          header { display: flex; justify-content: space-between; align-items: baseline; }
          h1 { font-size: 1.5rem; margin: 0 0 4px; }
          h2 { font-size: 1rem; margin: 0 0 8px; color: #555; }
          nav a { margin-left: 16px; color: #3451b2; }
          #summary { color: #555; margin: 0 0 16px; min-height: 1.4em; }
          section { margin-bottom: 20px; }
          .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; align-items: start; }
          .panel { background: #fff; border: 1px solid #d8dbe5; border-radius: 8px; padding: 12px; }
          table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #d8dbe5; }
          th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid #e3e5ec; }
          th { background: #eef0f6; font-weight: 600; }
          th.number, td.number { text-align: right; font-variant-numeric: tabular-nums; }
          td.empty { color: #777; text-align: center; }
          .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.85em; background: #eef0f6; }
          .good { background: #dcf2e3; color: #1b6b35; }
          .warn { background: #fcefd2; color: #8a5a00; }
          .bad { background: #fbe0de; color: #b3261e; }
          .error { color: #b3261e; }
          code { font-size: 0.9em; }
          select, textarea { font: inherit; padding: 6px 8px; box-sizing: border-box; }
          select { max-width: 100%; }
          textarea { width: 100%; min-height: 70px; margin-top: 8px; }
          .controls { display: flex; gap: 8px; margin: 8px 0; align-items: center; }
          button { font: inherit; padding: 8px 14px; border-radius: 6px; border: 1px solid #9aa3b8; background: #fff; cursor: pointer; }
          button.primary { background: #3451b2; color: #fff; border-color: #3451b2; }
          button:disabled { opacity: 0.45; cursor: default; }
          #playground-reply { white-space: pre-wrap; line-height: 1.45; min-height: 80px; background: #f9fafc; border: 1px solid #e3e5ec; border-radius: 6px; padding: 8px; }
          #playground-status { color: #555; min-height: 1.4em; margin-top: 6px; font-size: 0.9em; }
          #errors { list-style: none; margin: 0; padding: 0; max-height: 340px; overflow-y: auto; }
          #errors li { padding: 6px 0; border-bottom: 1px solid #e3e5ec; }
          #errors li:last-child { border-bottom: none; }
          #errors .meta { color: #666; font-size: 0.85em; }
          #errors li.empty { color: #777; }
        </style>
        </head><body>
        <header><h1>Switchyard</h1><nav><a href="/arena">Arena</a><a href="/leaderboard">Leaderboard</a><a href="/metrics">Metrics</a></nav></header>
        <p id="summary">Loading…</p>
        <form id="key-form" hidden><label>This gateway needs an API key: <input id="api-key" type="password" autocomplete="off"></label>
          <button class="primary">Use it</button></form>

        <section>
          <h2>Workers</h2>
          <table id="workers">
            <thead><tr><th>Address</th><th>Models</th><th>State</th><th>Circuit</th><th class="number">In flight</th></tr></thead>
            <tbody></tbody>
          </table>
        </section>

        <section>
          <h2>Models, last 60 s</h2>
          <table id="models-stats">
            <thead><tr><th>Model</th><th class="number">Requests</th><th class="number">Req/s</th><th class="number">Errors</th>
              <th class="number">Mean latency</th><th class="number">p95 latency</th><th class="number">In flight</th><th class="number">Queued</th></tr></thead>
            <tbody></tbody>
          </table>
        </section>

        <div class="columns">
          <section class="panel">
            <h2>Playground</h2>
            <select id="playground-model" aria-label="Model"></select>
            <textarea id="playground-prompt" placeholder="Ask the model something… (Enter sends, Shift+Enter is a new line)"></textarea>
            <div class="controls"><button id="playground-send" class="primary">Send</button></div>
            <div id="playground-reply"></div>
            <div id="playground-status"></div>
          </section>
          <section class="panel">
            <h2>Recent errors</h2>
            <ol id="errors"></ol>
          </section>
        </div>

        <script>
        const $ = (id) => document.getElementById(id);
        // A gateway with --api-key: the key is asked for once and kept for this tab only.
        \#(apiKeyScript)
        $("key-form").addEventListener("submit", (event) => {
          event.preventDefault();
          sessionStorage.setItem(keyName, $("api-key").value.trim());
          $("key-form").hidden = true;
        });

        function cell(text, className) {
          const td = document.createElement("td");
          td.textContent = text;
          if (className) td.className = className;
          return td;
        }
        function badge(text, tone) {
          const td = document.createElement("td");
          const span = document.createElement("span");
          span.className = "badge " + tone;
          span.textContent = text.replace("_", " ");
          td.appendChild(span);
          return td;
        }
        function fill(tbody, rows, columns, emptyText) {
          tbody.replaceChildren(...rows);
          if (rows.length === 0) {
            const tr = document.createElement("tr");
            const td = cell(emptyText, "empty");
            td.colSpan = columns;
            tr.appendChild(td);
            tbody.appendChild(tr);
          }
        }
        const milliseconds = (value) => value == null ? "—" : (value < 10 ? value.toFixed(1) : Math.round(value)) + " ms";

        function showWorkers(list) {
          const rows = list.workers.map((worker) => {
            const tr = document.createElement("tr");
            tr.append(
              cell(worker.address),
              cell(worker.models.join(", ")),
              badge(worker.state, worker.state === "ready" ? "good" : "warn"),
              badge(worker.circuit, { closed: "good", half_open: "warn", open: "bad" }[worker.circuit] || ""),
              cell(worker.in_flight, "number"));
            return tr;
          });
          fill($("workers").tBodies[0], rows, 5, "No workers yet.");
          return list;
        }

        function showStats(stats) {
          const rows = stats.models.map((model) => {
            const tr = document.createElement("tr");
            const errors = model.errors + (model.requests ? " (" + (100 * model.error_rate).toFixed(1) + " %)" : "");
            tr.append(
              cell(model.model),
              cell(model.requests, "number"),
              cell(model.requests_per_second.toFixed(2), "number"),
              cell(errors, "number" + (model.errors ? " error" : "")),
              cell(milliseconds(model.mean_latency_ms), "number"),
              cell(milliseconds(model.p95_latency_ms), "number"),
              cell(model.in_flight, "number"),
              cell(model.queued, "number"));
            return tr;
          });
          fill($("models-stats").tBodies[0], rows, 8, "No models yet.");

          const items = stats.recent_errors.map((failure) => {
            const li = document.createElement("li");
            const head = document.createElement("div");
            const status = document.createElement("span");
            status.className = "badge " + (failure.status >= 500 ? "bad" : "warn");
            status.textContent = failure.status;
            const what = document.createElement("code");
            what.textContent = " " + failure.model + " · " + failure.endpoint;
            head.append(status, what);
            const message = document.createElement("div");
            message.className = "error";
            message.textContent = failure.message || "HTTP " + failure.status;
            const meta = document.createElement("div");
            meta.className = "meta";
            meta.textContent = [new Date(failure.time).toLocaleTimeString(), failure.request_id, failure.worker].filter(Boolean).join(" · ");
            li.append(head, message, meta);
            return li;
          });
          if (items.length === 0) {
            const li = document.createElement("li");
            li.className = "empty";
            li.textContent = "No errors in a while.";
            items.push(li);
          }
          $("errors").replaceChildren(...items);
        }

        async function fetchJSON(path) {
          const response = await fetch(path, withKey({ cache: "no-store" }));
          if (response.status === 401) $("key-form").hidden = false;
          if (!response.ok) throw new Error(path + ": HTTP " + response.status);
          return response.json();
        }

        async function loadModels() {
          const list = await fetchJSON("/v1/models");
          const names = list.data.map((model) => model.id).sort();
          const select = $("playground-model");
          const current = [...select.options].map((option) => option.value);
          if (names.join("\n") === current.join("\n")) return;
          const chosen = select.value;
          select.replaceChildren(...names.map((name) => new Option(name, name, false, name === chosen)));
        }

        async function refresh() {
          try {
            const [workers, stats] = await Promise.all([fetchJSON("/api/v1/gateway/workers"), fetchJSON("/api/v1/gateway/stats")]);
            showWorkers(workers);
            showStats(stats);
            await loadModels();
            const total = stats.models.reduce((sum, model) => sum + model.requests_per_second, 0);
            $("summary").textContent = workers.workers.length + " workers · " + stats.models.length + " models · "
              + total.toFixed(2) + " req/s · " + workers.waiting + " waiting · updated " + new Date().toLocaleTimeString();
            $("summary").className = "";
          } catch (error) {
            $("summary").textContent = "Cannot reach the gateway: " + error.message;
            $("summary").className = "error";
          }
          setTimeout(refresh, 2000);
        }

        async function send() {
          const prompt = $("playground-prompt").value.trim();
          const model = $("playground-model").value;
          if (!prompt || !model) return;
          $("playground-send").disabled = true;
          $("playground-reply").textContent = "";
          $("playground-status").textContent = "Waiting for " + model + "…";
          $("playground-status").className = "";
          const started = performance.now();
          let firstToken = null;
          try {
            const response = await fetch("/v1/chat/completions", withKey({
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: prompt }] }),
            }));
            if (!response.ok) {
              const failure = await response.json().catch(() => ({}));
              throw new Error((failure.error && failure.error.message) || "HTTP " + response.status);
            }
            const worker = response.headers.get("x-switchyard-worker");
            const reader = response.body.getReader();
            const decoder = new TextDecoder();
            let pending = "";
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              pending += decoder.decode(value, { stream: true });
              const lines = pending.split(/\r?\n/);
              pending = lines.pop();
              for (const line of lines) {
                if (!line.startsWith("data:")) continue;  // blank separators and keep-alive comments
                const data = line.slice(5).trim();
                if (data === "[DONE]") continue;
                const chunk = JSON.parse(data);
                if (chunk.error) throw new Error(chunk.error.message);
                const content = chunk.choices && chunk.choices[0] && chunk.choices[0].delta && chunk.choices[0].delta.content;
                if (content) {
                  if (firstToken === null) firstToken = performance.now() - started;
                  $("playground-reply").textContent += content;
                }
              }
            }
            const total = performance.now() - started;
            $("playground-status").textContent = "Answered by " + (worker || "a worker") + ": first token after "
              + Math.round(firstToken ?? total) + " ms, done after " + Math.round(total) + " ms.";
          } catch (error) {
            $("playground-status").textContent = "Error: " + error.message;
            $("playground-status").className = "error";
          }
          $("playground-send").disabled = false;
        }

        $("playground-send").addEventListener("click", send);
        $("playground-prompt").addEventListener("keydown", (event) => {
          if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
        });
        refresh();
        </script>
        </body></html>
        """#
}
