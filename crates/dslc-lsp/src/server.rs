//! The LSP protocol layer (tower-lsp-server): document sync into the database, diagnostics publishing,
//! and the request handlers, which delegate to `features`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use dslc_db::{Database, Db};
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::convert::{self, path_of, uri_of};
use crate::handlers::{self, Doc};
use crate::position::{Encoding, Positions};
use crate::resync::{Resync, REJECTED};
use crate::watch::Restat;

/// Serves LSP over the given streams until `exit` or end of input. Returns whether the client
/// asked for `shutdown` first (the exit code is 0 then, else 1).
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let queued = Arc::new(Queued::default());
    let backend_queued = queued.clone();
    let (service, socket) =
        LspService::new(move |client| Backend { client, state: Mutex::default(), queued: backend_queued });
    let shutdown = Arc::new(AtomicBool::new(false));
    let service = Intercept { inner: service, shutdown: shutdown.clone(), queued };
    // One request at a time, in arrival order: edits and queries never overlap or reorder.
    // tower-lsp-server stops reading at `exit` by itself.
    Server::new(Resync::new(input), output, socket).concurrency_level(1).serve(service).await;
    shutdown.load(Ordering::SeqCst)
}

/// The latest document version of each `didChange` read so far, noted when the server reads the
/// message, before it is handled. A handler whose version is older knows that a newer change for
/// the same document is already queued, and leaves the re-check and the publishing to it.
#[derive(Default)]
struct Queued {
    latest: Mutex<HashMap<Uri, i32>>,
}

impl Queued {
    fn latest(&self) -> MutexGuard<'_, HashMap<Uri, i32>> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes a message as it is read (in arrival order).
    fn note(&self, method: &str, params: Option<&serde_json::Value>) {
        let document = params.and_then(|p| p.get("textDocument"));
        let Some(uri) = document.and_then(|d| d.get("uri")).and_then(|u| u.as_str()) else { return };
        let Ok(uri) = uri.parse::<Uri>() else { return };
        match method {
            "textDocument/didChange" => {
                // Only a change that the server will decode and apply may supersede earlier ones;
                // otherwise the last valid change would skip publishing and leave stale results.
                let decodes =
                    params.is_some_and(|p| <DidChangeTextDocumentParams as serde::Deserialize>::deserialize(p).is_ok());
                let version = document.and_then(|d| d.get("version")).and_then(|v| v.as_i64());
                if let (true, Some(version)) = (decodes, version.and_then(|v| i32::try_from(v).ok())) {
                    self.latest().insert(uri, version);
                }
            }
            // Versions start again when a document is reopened.
            "textDocument/didOpen" | "textDocument/didClose" => {
                self.latest().remove(&uri);
            }
            _ => {}
        }
    }

    /// Whether a newer change of `uri` than `version` has been read.
    fn superseded(&self, uri: &Uri, version: i32) -> bool {
        self.latest().get(uri).is_some_and(|&latest| latest > version)
    }
}

/// Passes every message to the LSP service and notes `shutdown` and queued document changes on
/// the way; answers the stand-in requests for rejected input itself.
struct Intercept<S> {
    inner: S,
    shutdown: Arc<AtomicBool>,
    queued: Arc<Queued>,
}

type ServiceFuture<E> = Pin<Box<dyn Future<Output = std::result::Result<Option<Response>, E>> + Send>>;

/// The answer to a stand-in request for rejected input: its error, with its id.
fn rejection_answer(request: &Request) -> Option<Response> {
    let id = request.id()?.clone();
    let params = request.params();
    let code = params.and_then(|p| p.get("code")).and_then(|c| c.as_i64()).unwrap_or(-32700);
    let message = params.and_then(|p| p.get("message")).and_then(|m| m.as_str()).unwrap_or("invalid message");
    let error = Error { code: ErrorCode::from(code), message: message.to_string().into(), data: None };
    Some(Response::from_error(id, error))
}

impl<S> tower::Service<Request> for Intercept<S>
where
    S: tower::Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ServiceFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match request.method() {
            REJECTED => {
                let answer = rejection_answer(&request);
                return Box::pin(std::future::ready(Ok(answer)));
            }
            "shutdown" => self.shutdown.store(true, Ordering::SeqCst),
            method => self.queued.note(method, request.params()),
        }
        Box::pin(self.inner.call(request))
    }
}

struct Open {
    text: String,
    version: i32,
}

#[derive(Default)]
struct State {
    db: Database,
    encoding: Encoding,
    /// Open documents by path: their text is what the database holds.
    open: BTreeMap<PathBuf, Open>,
    /// Files that currently show diagnostics, so they can be cleared when those go away.
    published: BTreeSet<PathBuf>,
    /// Whether the client can register file watchers dynamically.
    watch: bool,
    /// Without watchers, known files are re-stated on each change and save.
    restat: Restat,
}

impl State {
    /// Picks up files changed on disk when the client does not report them itself.
    fn refresh_unwatched(&mut self) {
        if !self.watch {
            let State { db, open, restat, .. } = self;
            restat.refresh(db, open);
        }
    }

    /// The open specs, for workspace-wide questions.
    fn open_specs(&self) -> Vec<dslc_db::SourceFile> {
        self.open.keys().filter(|p| is_spec(p)).map(|p| self.db.file(p)).collect()
    }

    fn doc(&self, uri: &Uri) -> Option<(&Path, &Open)> {
        let path = path_of(uri)?;
        self.open.get_key_value(&path).map(|(p, o)| (p.as_path(), o))
    }

    /// Diagnostics of every open spec, grouped by file, plus empty lists for files that had some,
    /// each with the version of the document when it is open.
    fn diagnostics(&mut self) -> Vec<(Uri, Vec<Diagnostic>, Option<i32>)> {
        let mut all: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
        // What each file's list holds already, so that merging stays linear in the diagnostics.
        let mut seen: HashMap<PathBuf, HashSet<DiagnosticKey>> = HashMap::new();
        for path in self.open.keys().filter(|p| is_spec(p)) {
            all.entry(path.clone()).or_default();
            let file = self.db.file(path);
            // The checker's diagnostics, then the compile-time ones that need no generation store.
            let plan = dslc_compile::diagnostics::editor_plan_diagnostics(&self.db, file);
            for source in [dslc_db::check(&self.db, file), plan] {
                for (file, diagnostics) in convert::group(&self.db, source, self.encoding) {
                    let seen = seen.entry(file.clone()).or_default();
                    let list = all.entry(file).or_default();
                    for d in diagnostics {
                        // A CSV included by two open specs reports its problems once.
                        if seen.insert(DiagnosticKey::of(&d)) {
                            list.push(d);
                        }
                    }
                }
            }
        }
        for stale in &self.published {
            all.entry(stale.clone()).or_default();
        }
        self.published = all.iter().filter(|(_, d)| !d.is_empty()).map(|(p, _)| p.clone()).collect();
        let open = &self.open;
        all.into_iter()
            .filter_map(|(path, d)| {
                let version = open.get(&path).map(|o| o.version);
                Some((uri_of(&path)?, d, version))
            })
            .collect()
    }
}

/// What makes two published diagnostics the same report: where, which code, what it says.
#[derive(PartialEq, Eq, Hash)]
struct DiagnosticKey {
    range: (u32, u32, u32, u32),
    code: Option<String>,
    message: String,
}

impl DiagnosticKey {
    fn of(d: &Diagnostic) -> Self {
        let code = match &d.code {
            Some(NumberOrString::String(s)) => Some(s.clone()),
            Some(NumberOrString::Number(n)) => Some(n.to_string()),
            None => None,
        };
        let r = d.range;
        DiagnosticKey {
            range: (r.start.line, r.start.character, r.end.line, r.end.character),
            code,
            message: d.message.clone(),
        }
    }
}

fn is_spec(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "cohort")
}

struct Backend {
    client: Client,
    state: Mutex<State>,
    queued: Arc<Queued>,
}

impl Backend {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic inside a handler is caught; the state it left is still the best we have.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn publish(&self) {
        let result = catch_unwind(AssertUnwindSafe(|| self.state().diagnostics()));
        match result {
            Ok(batches) => {
                for (uri, diagnostics, version) in batches {
                    self.client.publish_diagnostics(uri, diagnostics, version).await;
                }
            }
            Err(_) => self.log(MessageType::ERROR, "internal error while checking; see stderr").await,
        }
    }

    async fn log(&self, kind: MessageType, message: impl Into<String>) {
        let message = message.into();
        eprintln!("dslc lsp: {message}");
        self.client.log_message(kind, message).await;
    }

    /// Runs a feature on an open spec; unknown documents give `None`, a panic gives an error.
    fn with_doc<T>(&self, uri: &Uri, f: impl FnOnce(&Doc) -> T) -> Result<Option<T>> {
        let state = self.state();
        let Some((path, _)) = state.doc(uri) else { return Ok(None) };
        if !is_spec(path) {
            return Ok(None);
        }
        let file = state.db.file(path);
        let doc = Doc { db: &state.db, file, path, encoding: state.encoding };
        catch_unwind(AssertUnwindSafe(|| f(&doc))).map(Some).map_err(|_| {
            eprintln!("dslc lsp: internal error handling a request on {}", uri.as_str());
            Error::internal_error()
        })
    }

    /// Sets an open document's text; `version` `None` keeps the version it had.
    fn set_text(&self, uri: &Uri, text: String, version: Option<i32>) -> bool {
        let Some(path) = path_of(uri) else { return false };
        let mut state = self.state();
        state.db.set_file_text(&path, text.clone());
        let version = version.or_else(|| state.open.get(&path).map(|o| o.version)).unwrap_or(0);
        state.open.insert(path, Open { text, version });
        true
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
        let utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        self.state().encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.state().watch = watch;
        let legend = SemanticTokensLegend {
            token_types: handlers::semantic_tokens::TOKEN_TYPES.to_vec(),
            token_modifiers: vec![],
        };
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 { PositionEncodingKind::UTF8 } else { PositionEncodingKind::UTF16 }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
                    ..Default::default()
                })),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(["\"", "/", "[", "(", ","].iter().map(|s| s.to_string()).collect()),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_range_formatting_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..Default::default()
                })),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
                    SemanticTokensOptions {
                        legend,
                        full: Some(SemanticTokensFullOptions::Bool(true)),
                        ..Default::default()
                    },
                )),
                ..Default::default()
            },
            server_info: Some(ServerInfo { name: "dslc".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.log(MessageType::INFO, format!("dslc language server {} ready", env!("CARGO_PKG_VERSION"))).await;
        if !self.state().watch {
            return;
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.{csv,txt,toml,cohort}".into()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "dslc-watched-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        // Waiting for the client's answer here would hold up every later message.
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.register_capability(vec![registration]).await {
                eprintln!("dslc lsp: file watching not registered: {e}");
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let superseded = self.queued.superseded(&document.uri, document.version);
        if self.set_text(&document.uri, document.text, Some(document.version)) && !superseded {
            self.publish().await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = &params.text_document.uri;
        let text = {
            let state = self.state();
            let Some((path, open)) = state.doc(uri) else { return };
            let mut text = open.text.clone();
            for (n, change) in params.content_changes.into_iter().enumerate() {
                match change.range {
                    Some(range) => {
                        // The first change applies to the text the database holds, whose line
                        // index is kept; later ones to a text indexed here.
                        let (start, end) = if n == 0 {
                            let lines = dslc_db::db::line_index(&state.db, state.db.file(path));
                            let index = Positions::new(&open.text, lines, state.encoding);
                            (index.offset(range.start), index.offset(range.end))
                        } else {
                            let index = Positions::of_text(&text, state.encoding);
                            (index.offset(range.start), index.offset(range.end))
                        };
                        let (start, end) = (start.min(end), start.max(end));
                        text.replace_range(start..end, &change.text);
                    }
                    None => text = change.text,
                }
            }
            text
        };
        let version = params.text_document.version;
        self.set_text(uri, text, Some(version));
        self.state().refresh_unwatched();
        // A storm of changes is checked once: the last change that has been read publishes.
        if !self.queued.superseded(uri, version) {
            self.publish().await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if let Some(text) = params.text {
            self.set_text(&params.text_document.uri, text, None);
        }
        self.state().refresh_unwatched();
        self.publish().await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else { return };
        {
            let mut state = self.state();
            state.open.remove(&path);
            // Back to what is on disk: other specs may include or catalog this file.
            state.db.reload_from_disk(&path);
        }
        self.publish().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        {
            let mut state = self.state();
            for change in params.changes {
                let Some(path) = path_of(&change.uri) else { continue };
                // Open documents keep the editor's text.
                if !state.open.contains_key(&path) {
                    state.db.reload_from_disk(&path);
                }
            }
        }
        self.publish().await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        self.with_doc(&at.text_document.uri, |doc| handlers::completion::completion(doc, at.position))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        Ok(self.with_doc(&at.text_document.uri, |doc| handlers::hover::hover(doc, at.position))?.flatten())
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let found =
            self.with_doc(&at.text_document.uri, |doc| handlers::definition::definition(doc, at.position))?.flatten();
        Ok(found.map(GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        self.with_doc(&at.text_document.uri, |doc| handlers::references::references(doc, at.position))
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        match self.with_doc(&params.text_document.uri, |doc| handlers::rename::prepare_rename(doc, params.position))? {
            None => Ok(None),
            Some(Ok(range)) => Ok(range),
            Some(Err(message)) => Err(Error::invalid_params(message)),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let renamed =
            self.with_doc(&at.text_document.uri, |doc| handlers::rename::rename(doc, at.position, &params.new_name))?;
        match renamed {
            None => Ok(None),
            Some(Ok(edit)) => Ok(edit),
            Some(Err(message)) => Err(Error::invalid_params(message)),
        }
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let symbols = self.with_doc(&params.text_document.uri, handlers::symbols::document_symbols)?;
        Ok(symbols.map(DocumentSymbolResponse::Nested))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let state = self.state();
        let open = state.open_specs();
        let found = catch_unwind(AssertUnwindSafe(|| {
            // Every spec of the open specs' projects, open or not (unopened ones are read from disk).
            let specs: Vec<_> =
                dslc_ide::project_specs(&state.db, &open).iter().map(|path| state.db.file(path)).collect();
            handlers::symbols::workspace_symbols(&state.db, &specs, &params.query, state.encoding)
        }))
        .map_err(|_| Error::internal_error())?;
        Ok(Some(WorkspaceSymbolResponse::Flat(found)))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.with_doc(&params.text_document.uri, |doc| handlers::inlay_hint::inlay_hints(doc, params.range))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.with_doc(&params.text_document.uri, handlers::folding_range::folding_ranges)
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.with_doc(&params.text_document.uri, handlers::formatting::format_document)
    }

    async fn range_formatting(&self, params: DocumentRangeFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.with_doc(&params.text_document.uri, |doc| handlers::formatting::format_range(doc, params.range))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.with_doc(&params.text_document.uri, |doc| handlers::code_action::code_actions(doc, params.range))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let tokens = self.with_doc(&params.text_document.uri, handlers::semantic_tokens::semantic_tokens)?;
        Ok(tokens.map(|data| SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data })))
    }
}
