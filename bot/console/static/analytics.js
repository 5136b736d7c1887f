// Draws the analytics charts from the JSON the server embeds (#chart-data). No HTML is
// built from data: Chart.js draws on canvases, and labels are plain strings.
(function () {
  const source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const colour = (i) => palette[i % palette.length];
  const lines = (sets) => sets.map((s, i) => ({ label: s.label, data: s.data, borderColor: colour(i), backgroundColor: colour(i), fill: false, tension: 0.2 }));
  const specs = {
    conversations_by_language: { type: "line", data: { labels: data.labels, datasets: lines(data.conversations_by_language) } },
    messages_by_language: { type: "line", data: { labels: data.labels, datasets: lines(data.messages_by_language) } },
    conversations_by_channel: { type: "line", data: { labels: data.labels, datasets: lines(data.conversations_by_channel) } },
    fallback_rate: { type: "line", data: { labels: data.labels, datasets: [{ label: "%", data: data.fallback_rate, borderColor: colour(3) }] } },
    top_intents: { type: "bar", data: { labels: data.top_intents.map((r) => r[0]), datasets: [{ label: "n", data: data.top_intents.map((r) => r[1]), backgroundColor: colour(0) }] }, options: { indexAxis: "y" } },
    top_cities: { type: "bar", data: { labels: data.top_cities.map((r) => r[0]), datasets: [{ label: "n", data: data.top_cities.map((r) => r[1]), backgroundColor: colour(2) }] }, options: { indexAxis: "y" } },
  };
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const spec = specs[canvas.dataset.chart];
    if (spec) new window.Chart(canvas, { ...spec, options: { animation: false, responsive: true, ...(spec.options || {}) } });
  });
})();
