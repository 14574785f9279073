# Serves the app's own assets/web/ at https://appassets.androidplatform.net/ and refuses the rest:
# any other request gets an empty 403 answer (the page cannot load anything outside the app's own
# assets), paths with ".." are refused, a missing file is a 404. A navigation to another http(s) or
# mailto: address is handed to the browser; every other scheme (file:, content:, intent:...) is blocked.
.class public Lcom/trendforge/runtime/AssetClient;
.super Landroid/webkit/WebViewClient;
.source "AssetClient.java"

.field private final activity:Lcom/trendforge/runtime/MainActivity;


.method public constructor <init>(Lcom/trendforge/runtime/MainActivity;)V
    .registers 2
    invoke-direct {p0}, Landroid/webkit/WebViewClient;-><init>()V
    iput-object p1, p0, Lcom/trendforge/runtime/AssetClient;->activity:Lcom/trendforge/runtime/MainActivity;
    return-void
.end method


.method public shouldOverrideUrlLoading(Landroid/webkit/WebView;Ljava/lang/String;)Z
    .registers 5
    if-eqz p2, :block
    const-string v0, "https://appassets.androidplatform.net/"
    invoke-virtual {p2, v0}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :outside
    const/4 v0, 0x0
    return v0
    :outside
    const-string v0, "https://"
    invoke-virtual {p2, v0}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
    move-result v0
    if-nez v0, :external
    const-string v0, "http://"
    invoke-virtual {p2, v0}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
    move-result v0
    if-nez v0, :external
    const-string v0, "mailto:"
    invoke-virtual {p2, v0}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :block
    :external
    iget-object v0, p0, Lcom/trendforge/runtime/AssetClient;->activity:Lcom/trendforge/runtime/MainActivity;
    invoke-virtual {v0, p2}, Lcom/trendforge/runtime/MainActivity;->openExternal(Ljava/lang/String;)V
    :block
    const/4 v0, 0x1
    return v0
.end method


.method public shouldInterceptRequest(Landroid/webkit/WebView;Ljava/lang/String;)Landroid/webkit/WebResourceResponse;
    .registers 9
    if-eqz p2, :deny
    const-string v0, "https://appassets.androidplatform.net/"
    invoke-virtual {p2, v0}, Ljava/lang/String;->startsWith(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :deny
    invoke-static {p2}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v0
    invoke-virtual {v0}, Landroid/net/Uri;->getPath()Ljava/lang/String;
    move-result-object v1
    if-eqz v1, :deny
    const-string v2, ".."
    invoke-virtual {v1, v2}, Ljava/lang/String;->contains(Ljava/lang/CharSequence;)Z
    move-result v2
    if-nez v2, :deny
    const-string v2, "/"
    invoke-virtual {v1, v2}, Ljava/lang/String;->endsWith(Ljava/lang/String;)Z
    move-result v2
    if-eqz v2, :named
    new-instance v2, Ljava/lang/StringBuilder;
    invoke-direct {v2}, Ljava/lang/StringBuilder;-><init>()V
    invoke-virtual {v2, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const-string v3, "index.html"
    invoke-virtual {v2, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v2}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v1
    :named
    new-instance v2, Ljava/lang/StringBuilder;
    invoke-direct {v2}, Ljava/lang/StringBuilder;-><init>()V
    const-string v3, "web"
    invoke-virtual {v2, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v2, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v2}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v2
    :try_start_0
    iget-object v3, p0, Lcom/trendforge/runtime/AssetClient;->activity:Lcom/trendforge/runtime/MainActivity;
    invoke-virtual {v3}, Lcom/trendforge/runtime/MainActivity;->getAssets()Landroid/content/res/AssetManager;
    move-result-object v3
    invoke-virtual {v3, v2}, Landroid/content/res/AssetManager;->open(Ljava/lang/String;)Ljava/io/InputStream;
    move-result-object v3
    :try_end_0
    .catch Ljava/io/IOException; {:try_start_0 .. :try_end_0} :catch_0
    invoke-static {v1}, Lcom/trendforge/runtime/AssetClient;->mimeType(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v4
    new-instance v5, Landroid/webkit/WebResourceResponse;
    const-string v2, "utf-8"
    invoke-direct {v5, v4, v2, v3}, Landroid/webkit/WebResourceResponse;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/io/InputStream;)V
    return-object v5
    :catch_0
    move-exception v3
    const/16 v3, 0x194
    const-string v4, "Not Found"
    goto :empty
    :deny
    const/16 v3, 0x193
    const-string v4, "Forbidden"
    :empty
    const/4 v0, 0x0
    new-array v0, v0, [B
    new-instance v5, Ljava/io/ByteArrayInputStream;
    invoke-direct {v5, v0}, Ljava/io/ByteArrayInputStream;-><init>([B)V
    new-instance v1, Landroid/webkit/WebResourceResponse;
    const-string v0, "text/plain"
    const-string v2, "utf-8"
    invoke-direct {v1, v0, v2, v5}, Landroid/webkit/WebResourceResponse;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/io/InputStream;)V
    invoke-virtual {v1, v3, v4}, Landroid/webkit/WebResourceResponse;->setStatusCodeAndReasonPhrase(ILjava/lang/String;)V
    return-object v1
.end method


.method private static mimeType(Ljava/lang/String;)Ljava/lang/String;
    .registers 3
    const-string v0, ".js"
    invoke-virtual {p0, v0}, Ljava/lang/String;->endsWith(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :not_js
    const-string v0, "text/javascript"
    return-object v0
    :not_js
    const-string v0, ".json"
    invoke-virtual {p0, v0}, Ljava/lang/String;->endsWith(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :not_json
    const-string v0, "application/json"
    return-object v0
    :not_json
    const-string v0, ".css"
    invoke-virtual {p0, v0}, Ljava/lang/String;->endsWith(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :not_css
    const-string v0, "text/css"
    return-object v0
    :not_css
    const-string v0, ".svg"
    invoke-virtual {p0, v0}, Ljava/lang/String;->endsWith(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :lookup
    const-string v0, "image/svg+xml"
    return-object v0
    :lookup
    invoke-static {p0}, Landroid/webkit/MimeTypeMap;->getFileExtensionFromUrl(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    invoke-static {}, Landroid/webkit/MimeTypeMap;->getSingleton()Landroid/webkit/MimeTypeMap;
    move-result-object v1
    invoke-virtual {v1, v0}, Landroid/webkit/MimeTypeMap;->getMimeTypeFromExtension(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    if-nez v0, :found
    const-string v0, "application/octet-stream"
    :found
    return-object v0
.end method


.method public doUpdateVisitedHistory(Landroid/webkit/WebView;Ljava/lang/String;Z)V
    .registers 5
    invoke-super {p0, p1, p2, p3}, Landroid/webkit/WebViewClient;->doUpdateVisitedHistory(Landroid/webkit/WebView;Ljava/lang/String;Z)V
    iget-object v0, p0, Lcom/trendforge/runtime/AssetClient;->activity:Lcom/trendforge/runtime/MainActivity;
    invoke-virtual {v0}, Lcom/trendforge/runtime/MainActivity;->updateBackCallback()V
    return-void
.end method
