# API 33+ back handling: walks the page history; registered only while there is history.
.class public Lcom/trendforge/runtime/BackCallback;
.super Ljava/lang/Object;
.implements Landroid/window/OnBackInvokedCallback;
.source "BackCallback.java"

.field private final activity:Lcom/trendforge/runtime/MainActivity;


.method public constructor <init>(Lcom/trendforge/runtime/MainActivity;)V
    .registers 2
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lcom/trendforge/runtime/BackCallback;->activity:Lcom/trendforge/runtime/MainActivity;
    return-void
.end method


.method public onBackInvoked()V
    .registers 3
    iget-object v0, p0, Lcom/trendforge/runtime/BackCallback;->activity:Lcom/trendforge/runtime/MainActivity;
    invoke-virtual {v0}, Lcom/trendforge/runtime/MainActivity;->goBackInPage()Z
    move-result v1
    if-nez v1, :done
    invoke-virtual {v0}, Lcom/trendforge/runtime/MainActivity;->finish()V
    :done
    return-void
.end method
