# TrendForge template runtime: one activity for every white-labelled app id.
# The layout and views are found by name with Resources.getIdentifier(name, type, getPackageName()),
# so the same code works after `aapt2 link --rename-manifest-package`. The template's content,
# written by the build into assets/content.json, is shown pretty-printed.
.class public Lcom/trendforge/runtime/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"


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


.method private readContent()Ljava/lang/String;
    .registers 6

    :try_start_0
    invoke-virtual {p0}, Lcom/trendforge/runtime/MainActivity;->getAssets()Landroid/content/res/AssetManager;

    move-result-object v0

    const-string v1, "content.json"

    invoke-virtual {v0, v1}, Landroid/content/res/AssetManager;->open(Ljava/lang/String;)Ljava/io/InputStream;

    move-result-object v0

    invoke-virtual {v0}, Ljava/io/InputStream;->available()I

    move-result v1

    new-array v2, v1, [B

    invoke-virtual {v0, v2}, Ljava/io/InputStream;->read([B)I

    invoke-virtual {v0}, Ljava/io/InputStream;->close()V

    new-instance v3, Ljava/lang/String;

    const-string v4, "UTF-8"

    invoke-direct {v3, v2, v4}, Ljava/lang/String;-><init>([BLjava/lang/String;)V

    new-instance v0, Lorg/json/JSONObject;

    invoke-direct {v0, v3}, Lorg/json/JSONObject;-><init>(Ljava/lang/String;)V

    const/4 v1, 0x2

    invoke-virtual {v0, v1}, Lorg/json/JSONObject;->toString(I)Ljava/lang/String;

    move-result-object v0
    :try_end_0
    .catch Ljava/lang/Exception; {:try_start_0 .. :try_end_0} :catch_0

    return-object v0

    :catch_0
    move-exception v0

    const-string v0, ""

    return-object v0
.end method


.method protected onCreate(Landroid/os/Bundle;)V
    .registers 5

    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V

    const-string v0, "activity_main"

    const-string v1, "layout"

    invoke-direct {p0, v0, v1}, Lcom/trendforge/runtime/MainActivity;->resId(Ljava/lang/String;Ljava/lang/String;)I

    move-result v0

    if-eqz v0, :cond_done

    invoke-virtual {p0, v0}, Lcom/trendforge/runtime/MainActivity;->setContentView(I)V

    const-string v0, "content"

    const-string v1, "id"

    invoke-direct {p0, v0, v1}, Lcom/trendforge/runtime/MainActivity;->resId(Ljava/lang/String;Ljava/lang/String;)I

    move-result v0

    if-eqz v0, :cond_done

    invoke-virtual {p0, v0}, Lcom/trendforge/runtime/MainActivity;->findViewById(I)Landroid/view/View;

    move-result-object v1

    if-eqz v1, :cond_done

    check-cast v1, Landroid/widget/TextView;

    invoke-direct {p0}, Lcom/trendforge/runtime/MainActivity;->readContent()Ljava/lang/String;

    move-result-object v2

    invoke-virtual {v1, v2}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V

    :cond_done
    return-void
.end method
