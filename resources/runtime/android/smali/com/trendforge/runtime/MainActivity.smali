# TrendForge template runtime: one activity for every white-labelled app id.
# It hosts the template's web/ part (packaged under assets/web/) in a WebView served from
# https://appassets.androidplatform.net/ by AssetClient: JavaScript and DOM storage on, no file or
# content access, no mixed content, links to other sites open in the browser, Back walks the page
# history first (onBackPressed below API 33 or when not opted in, OnBackInvokedCallback from 33),
# and the page is kept clear of the system bars (InsetsListener) for edge-to-edge at API 35+.
# Resources are found by name (getIdentifier), so the code works after rename-manifest-package.
.class public Lcom/trendforge/runtime/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.field private web:Landroid/webkit/WebView;
.field private backCallback:Lcom/trendforge/runtime/BackCallback;
.field private backRegistered:Z


.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method


.method private resId(Ljava/lang/String;Ljava/lang/String;)I
    .registers 5
    invoke-virtual {p0}, Lcom/trendforge/runtime/MainActivity;->getResources()Landroid/content/res/Resources;
    move-result-object v0
    invoke-virtual {p0}, Lcom/trendforge/runtime/MainActivity;->getPackageName()Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0, p1, p2, v1}, Landroid/content/res/Resources;->getIdentifier(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)I
    move-result v0
    return v0
.end method


.method protected onCreate(Landroid/os/Bundle;)V
    .registers 8
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V

    # the root: painted with the theme colour, padded by the system bars' insets
    new-instance v0, Landroid/widget/FrameLayout;
    invoke-direct {v0, p0}, Landroid/widget/FrameLayout;-><init>(Landroid/content/Context;)V
    const-string v1, "tf_theme"
    const-string v2, "color"
    invoke-direct {p0, v1, v2}, Lcom/trendforge/runtime/MainActivity;->resId(Ljava/lang/String;Ljava/lang/String;)I
    move-result v1
    if-eqz v1, :no_colour
    invoke-virtual {p0}, Lcom/trendforge/runtime/MainActivity;->getResources()Landroid/content/res/Resources;
    move-result-object v2
    invoke-virtual {v2, v1}, Landroid/content/res/Resources;->getColor(I)I
    move-result v1
    invoke-virtual {v0, v1}, Landroid/widget/FrameLayout;->setBackgroundColor(I)V
    :no_colour
    new-instance v1, Lcom/trendforge/runtime/InsetsListener;
    invoke-direct {v1}, Lcom/trendforge/runtime/InsetsListener;-><init>()V
    invoke-virtual {v0, v1}, Landroid/widget/FrameLayout;->setOnApplyWindowInsetsListener(Landroid/view/View$OnApplyWindowInsetsListener;)V

    # the page
    new-instance v1, Landroid/webkit/WebView;
    invoke-direct {v1, p0}, Landroid/webkit/WebView;-><init>(Landroid/content/Context;)V
    iput-object v1, p0, Lcom/trendforge/runtime/MainActivity;->web:Landroid/webkit/WebView;
    invoke-virtual {v1}, Landroid/webkit/WebView;->getSettings()Landroid/webkit/WebSettings;
    move-result-object v2
    const/4 v3, 0x1
    const/4 v4, 0x0
    invoke-virtual {v2, v3}, Landroid/webkit/WebSettings;->setJavaScriptEnabled(Z)V
    invoke-virtual {v2, v3}, Landroid/webkit/WebSettings;->setDomStorageEnabled(Z)V
    invoke-virtual {v2, v4}, Landroid/webkit/WebSettings;->setAllowFileAccess(Z)V
    invoke-virtual {v2, v4}, Landroid/webkit/WebSettings;->setAllowContentAccess(Z)V
    invoke-virtual {v2, v4}, Landroid/webkit/WebSettings;->setAllowFileAccessFromFileURLs(Z)V
    invoke-virtual {v2, v4}, Landroid/webkit/WebSettings;->setAllowUniversalAccessFromFileURLs(Z)V
    invoke-virtual {v2, v4}, Landroid/webkit/WebSettings;->setGeolocationEnabled(Z)V
    invoke-virtual {v2, v4}, Landroid/webkit/WebSettings;->setSupportMultipleWindows(Z)V
    invoke-virtual {v2, v4}, Landroid/webkit/WebSettings;->setJavaScriptCanOpenWindowsAutomatically(Z)V
    # WebSettings.MIXED_CONTENT_NEVER_ALLOW
    const/4 v5, 0x1
    invoke-virtual {v2, v5}, Landroid/webkit/WebSettings;->setMixedContentMode(I)V
    new-instance v2, Lcom/trendforge/runtime/AssetClient;
    invoke-direct {v2, p0}, Lcom/trendforge/runtime/AssetClient;-><init>(Lcom/trendforge/runtime/MainActivity;)V
    invoke-virtual {v1, v2}, Landroid/webkit/WebView;->setWebViewClient(Landroid/webkit/WebViewClient;)V
    invoke-virtual {v0, v1}, Landroid/widget/FrameLayout;->addView(Landroid/view/View;)V
    invoke-virtual {p0, v0}, Lcom/trendforge/runtime/MainActivity;->setContentView(Landroid/view/View;)V

    # after a configuration change or process death the page history comes back
    if-eqz p1, :fresh
    invoke-virtual {v1, p1}, Landroid/webkit/WebView;->restoreState(Landroid/os/Bundle;)Landroid/webkit/WebBackForwardList;
    move-result-object v2
    if-nez v2, :loaded
    :fresh
    const-string v2, "https://appassets.androidplatform.net/index.html"
    invoke-virtual {v1, v2}, Landroid/webkit/WebView;->loadUrl(Ljava/lang/String;)V
    :loaded
    return-void
.end method


.method protected onSaveInstanceState(Landroid/os/Bundle;)V
    .registers 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onSaveInstanceState(Landroid/os/Bundle;)V
    iget-object v0, p0, Lcom/trendforge/runtime/MainActivity;->web:Landroid/webkit/WebView;
    if-eqz v0, :done
    invoke-virtual {v0, p1}, Landroid/webkit/WebView;->saveState(Landroid/os/Bundle;)Landroid/webkit/WebBackForwardList;
    :done
    return-void
.end method


# Back below API 33, or on 33-35 when the app has not opted in to OnBackInvokedCallback
.method public onBackPressed()V
    .registers 2
    invoke-virtual {p0}, Lcom/trendforge/runtime/MainActivity;->goBackInPage()Z
    move-result v0
    if-nez v0, :done
    invoke-super {p0}, Landroid/app/Activity;->onBackPressed()V
    :done
    return-void
.end method


.method public goBackInPage()Z
    .registers 3
    iget-object v0, p0, Lcom/trendforge/runtime/MainActivity;->web:Landroid/webkit/WebView;
    if-eqz v0, :no
    invoke-virtual {v0}, Landroid/webkit/WebView;->canGoBack()Z
    move-result v1
    if-eqz v1, :no
    invoke-virtual {v0}, Landroid/webkit/WebView;->goBack()V
    const/4 v0, 0x1
    return v0
    :no
    const/4 v0, 0x0
    return v0
.end method


# API 33+: a back callback is registered exactly while the page has history, so Back leaves the app
# (with the system's predictive animation) only from the first page.
.method public updateBackCallback()V
    .registers 5
    sget v0, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v1, 0x21
    if-lt v0, v1, :done
    iget-object v0, p0, Lcom/trendforge/runtime/MainActivity;->web:Landroid/webkit/WebView;
    if-eqz v0, :done
    invoke-virtual {v0}, Landroid/webkit/WebView;->canGoBack()Z
    move-result v0
    iget-boolean v1, p0, Lcom/trendforge/runtime/MainActivity;->backRegistered:Z
    if-eq v0, v1, :done
    invoke-virtual {p0}, Lcom/trendforge/runtime/MainActivity;->getOnBackInvokedDispatcher()Landroid/window/OnBackInvokedDispatcher;
    move-result-object v2
    iget-object v3, p0, Lcom/trendforge/runtime/MainActivity;->backCallback:Lcom/trendforge/runtime/BackCallback;
    if-nez v3, :have_callback
    new-instance v3, Lcom/trendforge/runtime/BackCallback;
    invoke-direct {v3, p0}, Lcom/trendforge/runtime/BackCallback;-><init>(Lcom/trendforge/runtime/MainActivity;)V
    iput-object v3, p0, Lcom/trendforge/runtime/MainActivity;->backCallback:Lcom/trendforge/runtime/BackCallback;
    :have_callback
    if-eqz v0, :unregister
    # OnBackInvokedDispatcher.PRIORITY_DEFAULT
    const/4 v1, 0x0
    invoke-interface {v2, v1, v3}, Landroid/window/OnBackInvokedDispatcher;->registerOnBackInvokedCallback(ILandroid/window/OnBackInvokedCallback;)V
    goto :store
    :unregister
    invoke-interface {v2, v3}, Landroid/window/OnBackInvokedDispatcher;->unregisterOnBackInvokedCallback(Landroid/window/OnBackInvokedCallback;)V
    :store
    iput-boolean v0, p0, Lcom/trendforge/runtime/MainActivity;->backRegistered:Z
    :done
    return-void
.end method


# A link to another site: the browser (or mail app) opens it; nothing happens if none can.
.method public openExternal(Ljava/lang/String;)V
    .registers 5
    :try_start_0
    new-instance v0, Landroid/content/Intent;
    const-string v1, "android.intent.action.VIEW"
    invoke-static {p1}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v2
    invoke-direct {v0, v1, v2}, Landroid/content/Intent;-><init>(Ljava/lang/String;Landroid/net/Uri;)V
    const-string v1, "android.intent.category.BROWSABLE"
    invoke-virtual {v0, v1}, Landroid/content/Intent;->addCategory(Ljava/lang/String;)Landroid/content/Intent;
    invoke-virtual {p0, v0}, Lcom/trendforge/runtime/MainActivity;->startActivity(Landroid/content/Intent;)V
    :try_end_0
    .catch Ljava/lang/Exception; {:try_start_0 .. :try_end_0} :catch_0
    return-void
    :catch_0
    move-exception v0
    return-void
.end method
