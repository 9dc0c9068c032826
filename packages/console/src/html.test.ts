import { describe, expect, it } from "vitest";
import { escapeHtml, html, join, trusted } from "./html";

describe("html", () => {
  it("escapes every interpolated string, so alert text can never become markup", () => {
    // Prepare
    const annotation = `<script>alert("x")</script> & 'quotes'`;
    // Act
    const out = html`<p title="${annotation}">${annotation}</p>`.value;
    // Assess
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</p>',
    );
  });

  it.each([
    [true, ""],
    [false, ""],
    [null, ""],
    [undefined, ""],
    [0, "0"],
    [1.5, "1.5"],
    [["a", "<b>"], "a&lt;b&gt;"],
  ])("renders %j as %j", (value, expected) => {
    expect(html`${value}`.value).toBe(expected);
  });

  it("keeps nested templates and trusted constants as markup", () => {
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`<p>${inner}${trusted("<br>")}</p>`.value).toBe("<p><b>&lt;i&gt;</b><br></p>");
    expect(join(["<a>", html`<b>`], ", ").value).toBe("&lt;a&gt;, <b>");
    expect(escapeHtml(`"'<>&`)).toBe("&quot;&#39;&lt;&gt;&amp;");
  });
});
