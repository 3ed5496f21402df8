<?xml version="1.0" encoding="utf-8"?>
<!--
  Turns an RSS 2.0 or Atom 1.0 feed of this service into a readable page when a person opens the feed
  URL in a browser. Feed readers ignore the stylesheet. Every value is copied as text (never as markup).
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:creativeCommons="http://backend.userland.com/creativeCommonsRssModule"
  xmlns:reprint="https://syndicator.dev/ns/reprint/1.0"
  exclude-result-prefixes="atom dc creativeCommons reprint">
  <xsl:output method="html" encoding="utf-8" indent="no"/>

  <xsl:template match="/">
    <html>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/> (feed)</title>
        <style>
          body{font:16px/1.6 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1d2327;background:#f6f7f7}
          header{padding:.8rem 1.5rem;background:#1d2327;color:#fff}
          main{max-width:52rem;margin:1.5rem auto;padding:0 1.5rem}
          .note{background:#e7f3fe;border-left:4px solid #2271b1;padding:.6rem .9rem;font-size:.92rem}
          .card{background:#fff;border:1px solid #dcdcde;border-radius:6px;padding:1rem 1.2rem;margin:.8rem 0}
          .meta{color:#50575e;font-size:.88rem}
          .terms{background:#fcf9e8;border-left:4px solid #dba617;padding:.4rem .7rem;font-size:.85rem;margin-top:.4rem}
          a{color:#2271b1}
        </style>
      </head>
      <body>
        <header>Syndicator · feed</header>
        <main>
          <xsl:apply-templates select="rss/channel | atom:feed"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="rss/channel">
    <h1 id="feed-title"><xsl:value-of select="title"/></h1>
    <p><xsl:value-of select="description"/></p>
    <xsl:call-template name="note"><xsl:with-param name="url" select="atom:link[@rel='self']/@href"/></xsl:call-template>
    <xsl:for-each select="item">
      <article class="card">
        <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
        <div class="meta">
          <xsl:for-each select="dc:creator"><xsl:if test="position() &gt; 1">、</xsl:if><xsl:value-of select="."/></xsl:for-each>
          <xsl:if test="dc:contributor"> · 编辑 <xsl:value-of select="dc:contributor"/></xsl:if>
          <xsl:if test="source"> · 来源 <xsl:value-of select="source"/></xsl:if>
          <xsl:for-each select="reprint:published"> · <xsl:call-template name="local-date"/></xsl:for-each>
        </div>
        <p><xsl:value-of select="description"/></p>
        <div class="terms">
          <a href="{creativeCommons:license}">License</a> · <xsl:value-of select="reprint:attribution"/>
        </div>
      </article>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="atom:feed">
    <h1 id="feed-title"><xsl:value-of select="atom:title"/></h1>
    <p><xsl:value-of select="atom:subtitle"/></p>
    <xsl:call-template name="note"><xsl:with-param name="url" select="atom:link[@rel='self']/@href"/></xsl:call-template>
    <xsl:for-each select="atom:entry">
      <article class="card">
        <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
        <div class="meta">
          <xsl:for-each select="atom:author"><xsl:if test="position() &gt; 1">、</xsl:if><xsl:value-of select="atom:name"/></xsl:for-each>
          <xsl:if test="atom:contributor"> · 编辑 <xsl:value-of select="atom:contributor/atom:name"/></xsl:if>
          <xsl:if test="atom:source"> · 来源 <xsl:value-of select="atom:source/atom:title"/></xsl:if>
          <xsl:for-each select="reprint:published"> · <xsl:call-template name="local-date"/></xsl:for-each>
        </div>
        <p><xsl:value-of select="atom:summary"/></p>
        <div class="terms">
          <a href="{atom:link[@rel='license']/@href}">License</a> · <xsl:value-of select="reprint:attribution"/>
        </div>
      </article>
    </xsl:for-each>
  </xsl:template>

  <!-- reprint:published holds RFC 3339 local time in the channel's zone (2019-06-28T16:42:00+08:00):
       shown as "2019-06-28 16:42 (Asia/Shanghai)". -->
  <xsl:template name="local-date">
    <time class="published" datetime="{.}">
      <xsl:value-of select="concat(substring(., 1, 10), ' ', substring(., 12, 5), ' (', @timeZone, ')')"/>
    </time>
  </xsl:template>

  <xsl:template name="note">
    <xsl:param name="url"/>
    <p class="note">This is a web feed. Copy its address into a feed reader to subscribe:
      <code><xsl:value-of select="$url"/></code></p>
  </xsl:template>
</xsl:stylesheet>
