//! Walks a request body of any of the three provider shapes into a flat list of
//! [`Item`]s: one per content block / part / input item, each with its JSON path, role,
//! kind, tool name (resolved from the matching call id) and a borrowed payload.

use std::collections::HashMap;

use headroom_core::{Error, Result};

use crate::options::ProviderHint;
use crate::raw::{self, Doc, JsonKind, kind_of, short_str};

/// The provider request shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
  /// Anthropic Messages API.
  Anthropic,
  /// OpenAI Chat Completions.
  OpenaiChat,
  /// OpenAI Responses API.
  OpenaiResponses,
}

impl Provider {
  /// The public name (`anthropic`, `openai`, `openai-responses`).
  pub fn as_str(self) -> &'static str {
    match self {
      Provider::Anthropic => "anthropic",
      Provider::OpenaiChat => "openai",
      Provider::OpenaiResponses => "openai-responses",
    }
  }
}

/// Message roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
  /// System prompt (top-level or a `role: "system"` message).
  System,
  /// OpenAI developer message.
  Developer,
  /// User turn.
  User,
  /// Assistant turn.
  Assistant,
  /// OpenAI tool / function result message.
  Tool,
  /// Anything else.
  Other,
}

impl Role {
  fn parse(s: Option<&str>) -> Role {
    match s {
      Some("system") => Role::System,
      Some("developer") => Role::Developer,
      Some("user") => Role::User,
      Some("assistant") => Role::Assistant,
      Some("tool") | Some("function") => Role::Tool,
      _ => Role::Other,
    }
  }

  /// The role string used for framing counts.
  pub fn as_str(self) -> &'static str {
    match self {
      Role::System => "system",
      Role::Developer => "developer",
      Role::User => "user",
      Role::Assistant => "assistant",
      Role::Tool => "tool",
      Role::Other => "other",
    }
  }
}

/// What an item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
  /// Plain text (a string message, a text block or part).
  Text,
  /// The text of a tool's output: Anthropic `tool_result` (string content, or a text block
  /// inside list content), OpenAI `tool` message, Responses `function_call_output`.
  ToolResult,
  /// A tool call: Anthropic `tool_use`, OpenAI `tool_calls[]`, Responses `function_call`.
  ToolCall,
  /// `thinking`.
  Thinking,
  /// `redacted_thinking`.
  RedactedThinking,
  /// Responses `reasoning` item.
  Reasoning,
  /// Image / audio / file parts and blocks.
  Media,
  /// Server-side tool blocks (`server_tool_use`, `*_tool_result`, ...).
  ServerTool,
  /// Tool definitions (`tools`).
  ToolDefinitions,
  /// A block type we do not know: passed through byte-identical.
  Unknown(String),
}

/// Where an item's countable / compressible content is.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
  /// Nothing to count.
  None,
  /// A JSON string literal (the only payload that may be compressed).
  Str(&'a str),
  /// Raw JSON counted as its text (tool call arguments, tool definitions).
  Json(&'a str),
  /// A fixed token estimate (images).
  Fixed(usize),
}

/// One block, part or item of the request.
#[derive(Debug, Clone)]
pub struct Item<'a> {
  /// JSON-pointer path of the payload (or of the block when there is none).
  pub path: String,
  /// Index of the message / input item, `None` for top-level fields.
  pub message: Option<usize>,
  /// Role of the enclosing message.
  pub role: Role,
  /// What it is.
  pub kind: ItemKind,
  /// The tool that produced a tool result, or that a tool call calls.
  pub tool_name: Option<String>,
  /// Whether the block (or its enclosing tool_result) carries `cache_control`.
  pub cache_control: bool,
  /// `is_error: true` on the tool result.
  pub is_error: bool,
  /// The payload.
  pub payload: Payload<'a>,
}

/// One message, for per-message framing counts.
#[derive(Debug, Clone)]
pub struct Frame {
  /// Role.
  pub role: Role,
  /// OpenAI `name` field, if any (costs one extra token).
  pub name: Option<String>,
}

/// The walked request.
#[derive(Debug)]
pub struct Walk<'a> {
  /// The shape.
  pub provider: Provider,
  /// Every item in body order.
  pub items: Vec<Item<'a>>,
  /// One frame per message / input item (top-level system prompts get one too).
  pub frames: Vec<Frame>,
  /// Number of messages / input items.
  pub message_count: usize,
  /// Text of the latest user text (the default relevance query).
  pub latest_user_text: Option<String>,
  /// Model id from the body, if any.
  pub model: Option<String>,
  /// Whether the input was a bare message array rather than a request body.
  pub bare: bool,
  /// The raw JSON of the first message / input item (a Responses string input counts as
  /// one): what identifies a conversation across its requests.
  pub first_message: Option<&'a str>,
}

/// Fixed token estimate for an image (Anthropic bills about width*height/750 tokens; a
/// ~1.15 megapixel image, the size clients downscale to, is about 1,600).
pub const IMAGE_TOKENS: usize = 1600;

/// Walks `text` (a request body object or a bare message array).
pub fn walk<'a>(text: &'a str, hint: ProviderHint) -> Result<Walk<'a>> {
  let doc = Doc::parse(text)?;
  let root = doc.root();
  let mut w = Walker::new(&doc);
  match kind_of(root) {
    JsonKind::Array => {
      w.bare = true;
      let messages = doc.elements(root, "")?;
      w.messages(&messages, "", hint)?;
    }
    JsonKind::Object => {
      let top = raw::TopLevel::read(&doc, root, "/")?;
      w.model = short_str(top.model).map(|s| s.into_owned());
      if let Some(system) = top.system {
        w.provider = Some(Provider::Anthropic);
        w.system(system, "/system")?;
      }
      if let Some(instructions) = top.instructions.filter(|r| kind_of(r) == JsonKind::String) {
        w.provider = Some(Provider::OpenaiResponses);
        w.frames.push(Frame {
          role: Role::System,
          name: None,
        });
        w.push(Item::new(
          "/instructions".into(),
          None,
          Role::System,
          ItemKind::Text,
          Payload::Str(instructions),
        ));
      }
      match (top.messages, top.input) {
        (Some(messages), _) if kind_of(messages) == JsonKind::Array => {
          let list = doc.elements(messages, "/messages")?;
          w.messages(&list, "/messages", hint)?;
        }
        (None, Some(input)) => {
          w.provider = Some(Provider::OpenaiResponses);
          w.responses_input(input)?;
        }
        (Some(_), _) => return Err(Error::unsupported_shape("/messages must be an array")),
        (None, None) => {
          return Err(Error::unsupported_shape(
            "expected a request body with `messages` (Anthropic, OpenAI Chat) or `input` (OpenAI Responses), or a message array",
          ));
        }
      }
      if let Some(tools) = top.tools {
        w.push(Item::new(
          "/tools".into(),
          None,
          Role::Other,
          ItemKind::ToolDefinitions,
          Payload::Json(tools),
        ));
      }
    }
    _ => {
      return Err(Error::unsupported_shape(
        "expected a JSON object (request body) or array (messages)",
      ));
    }
  }
  let provider = match hint {
    ProviderHint::Anthropic => Provider::Anthropic,
    ProviderHint::Openai => Provider::OpenaiChat,
    ProviderHint::OpenaiResponses => Provider::OpenaiResponses,
    ProviderHint::Auto => w
      .provider
      .unwrap_or_else(|| guess_from_model(w.model.as_deref())),
  };
  Ok(Walk {
    provider,
    items: w.items,
    frames: w.frames,
    message_count: w.message_count,
    latest_user_text: w
      .latest_user_text
      .and_then(|r| raw::decode_string(r, "").ok()),
    model: w.model,
    bare: w.bare,
    first_message: w.first_message,
  })
}

fn guess_from_model(model: Option<&str>) -> Provider {
  match model {
    Some(m) if m.to_ascii_lowercase().contains("claude") => Provider::Anthropic,
    _ => Provider::OpenaiChat,
  }
}

impl<'a> Item<'a> {
  fn new(
    path: String,
    message: Option<usize>,
    role: Role,
    kind: ItemKind,
    payload: Payload<'a>,
  ) -> Self {
    Item {
      path,
      message,
      role,
      kind,
      tool_name: None,
      cache_control: false,
      is_error: false,
      payload,
    }
  }
}

struct Walker<'a, 'd> {
  doc: &'d Doc<'a>,
  items: Vec<Item<'a>>,
  frames: Vec<Frame>,
  provider: Option<Provider>,
  tool_names: HashMap<String, String>,
  message_count: usize,
  latest_user_text: Option<&'a str>,
  model: Option<String>,
  bare: bool,
  first_message: Option<&'a str>,
}

impl<'a, 'd> Walker<'a, 'd> {
  fn new(doc: &'d Doc<'a>) -> Self {
    Walker {
      doc,
      items: Vec::new(),
      frames: Vec::new(),
      provider: None,
      tool_names: HashMap::new(),
      message_count: 0,
      latest_user_text: None,
      model: None,
      bare: false,
      first_message: None,
    }
  }

  fn push(&mut self, mut item: Item<'a>) {
    // Text spoken by a tool (e.g. a Responses `message` item with `role: "tool"`) is a tool
    // output wherever it appears.
    if item.kind == ItemKind::Text && item.role == Role::Tool {
      item.kind = ItemKind::ToolResult;
    }
    self.items.push(item);
  }

  fn note_provider(&mut self, p: Provider) {
    if self.provider.is_none() {
      self.provider = Some(p);
    }
  }

  fn system(&mut self, system: &'a str, path: &str) -> Result<()> {
    self.frames.push(Frame {
      role: Role::System,
      name: None,
    });
    match kind_of(system) {
      JsonKind::String => self.push(Item::new(
        path.into(),
        None,
        Role::System,
        ItemKind::Text,
        Payload::Str(system),
      )),
      JsonKind::Array => {
        for (j, block) in self.doc.elements(system, path)?.into_iter().enumerate() {
          self.block(block, &format!("{path}/{j}"), None, Role::System)?;
        }
      }
      _ => {}
    }
    Ok(())
  }

  fn messages(&mut self, messages: &[&'a str], base: &str, hint: ProviderHint) -> Result<()> {
    self.first_message = messages.first().copied();
    if hint == ProviderHint::OpenaiResponses {
      for (i, item) in messages.iter().enumerate() {
        self.response_item(item, &format!("{base}/{i}"), i)?;
      }
      self.message_count = messages.len();
      return Ok(());
    }
    for (i, raw_msg) in messages.iter().enumerate() {
      let path = format!("{base}/{i}");
      if kind_of(raw_msg) != JsonKind::Object {
        return Err(Error::unsupported_shape(format!(
          "{path} must be a message object"
        )));
      }
      let msg = raw::Message::read(self.doc, raw_msg, &path)?;
      let role_str = short_str(msg.role);
      if role_str.is_none() && short_str(msg.kind).is_some() {
        // A Responses item inside a bare array.
        self.note_provider(Provider::OpenaiResponses);
        self.response_item(raw_msg, &path, i)?;
        continue;
      }
      let role = Role::parse(role_str.as_deref());
      if matches!(
        role_str.as_deref(),
        Some("tool") | Some("developer") | Some("function")
      ) {
        self.note_provider(Provider::OpenaiChat);
      }
      let name = short_str(msg.name).map(|s| s.into_owned());
      self.frames.push(Frame {
        role,
        name: name.clone(),
      });
      if let Some(calls) = msg.tool_calls.filter(|r| kind_of(r) == JsonKind::Array) {
        self.note_provider(Provider::OpenaiChat);
        for (k, call) in self.doc.elements(calls, &path)?.into_iter().enumerate() {
          let call_path = format!("{path}/tool_calls/{k}");
          let tc = raw::ToolCall::read(self.doc, call, &call_path)?;
          let func = match tc.function {
            Some(f) if kind_of(f) == JsonKind::Object => {
              Some(raw::FunctionSpec::read(self.doc, f, &call_path)?)
            }
            _ => None,
          };
          let fname = func
            .as_ref()
            .and_then(|f| short_str(f.name))
            .map(|s| s.into_owned());
          if let (Some(id), Some(n)) = (short_str(tc.id), fname.clone()) {
            self.tool_names.insert(id.into_owned(), n);
          }
          let mut item = Item::new(
            call_path,
            Some(i),
            role,
            ItemKind::ToolCall,
            func
              .and_then(|f| f.arguments)
              .map_or(Payload::None, Payload::Str),
          );
          item.tool_name = fname;
          self.push(item);
        }
      }
      let tool_name = if role == Role::Tool {
        short_str(msg.tool_call_id)
          .and_then(|id| self.tool_names.get(id.as_ref()).cloned())
          .or(name)
      } else {
        None
      };
      let Some(content) = msg.content else { continue };
      let content_path = format!("{path}/content");
      match kind_of(content) {
        JsonKind::String => {
          let kind = if role == Role::Tool {
            ItemKind::ToolResult
          } else {
            ItemKind::Text
          };
          if role == Role::User {
            self.latest_user_text = Some(content);
          }
          let mut item = Item::new(content_path, Some(i), role, kind, Payload::Str(content));
          item.tool_name = tool_name;
          self.push(item);
        }
        JsonKind::Array => {
          for (j, block) in self
            .doc
            .elements(content, &content_path)?
            .into_iter()
            .enumerate()
          {
            let before = self.items.len();
            self.block(block, &format!("{content_path}/{j}"), Some(i), role)?;
            if role == Role::Tool {
              for item in &mut self.items[before..] {
                if item.kind == ItemKind::Text {
                  item.kind = ItemKind::ToolResult;
                }
                item.tool_name.clone_from(&tool_name);
              }
            }
          }
        }
        _ => {}
      }
    }
    self.message_count = messages.len();
    Ok(())
  }

  /// One Anthropic content block or OpenAI content part.
  fn block(
    &mut self,
    raw_block: &'a str,
    path: &str,
    msg: Option<usize>,
    role: Role,
  ) -> Result<()> {
    if kind_of(raw_block) == JsonKind::String {
      // Non-standard but seen: a bare string inside a content array.
      self.push(Item::new(
        path.into(),
        msg,
        role,
        ItemKind::Text,
        Payload::Str(raw_block),
      ));
      return Ok(());
    }
    if kind_of(raw_block) != JsonKind::Object {
      self.push(Item::new(
        path.into(),
        msg,
        role,
        ItemKind::Unknown("non-object".into()),
        Payload::None,
      ));
      return Ok(());
    }
    let b = raw::Block::read(self.doc, raw_block, path)?;
    let ty = short_str(b.kind)
      .map(|s| s.into_owned())
      .unwrap_or_default();
    let cache_control = b.cache_control.is_some();
    let mut item = match ty.as_str() {
      "text" | "input_text" | "output_text" => {
        let Some(text) = b.text.filter(|t| kind_of(t) == JsonKind::String) else {
          self.push(Item::new(
            path.into(),
            msg,
            role,
            ItemKind::Unknown(ty),
            Payload::None,
          ));
          return Ok(());
        };
        if role == Role::User {
          self.latest_user_text = Some(text);
        }
        Item::new(
          format!("{path}/text"),
          msg,
          role,
          ItemKind::Text,
          Payload::Str(text),
        )
      }
      "tool_result" => {
        self.note_provider(Provider::Anthropic);
        let tool_name =
          short_str(b.tool_use_id).and_then(|id| self.tool_names.get(id.as_ref()).cloned());
        let is_error = raw::is_true(b.is_error);
        match b.content {
          Some(c) if kind_of(c) == JsonKind::Array => {
            let content_path = format!("{path}/content");
            for (k, inner) in self.doc.elements(c, &content_path)?.into_iter().enumerate() {
              let before = self.items.len();
              self.block(inner, &format!("{content_path}/{k}"), msg, role)?;
              for it in &mut self.items[before..] {
                if it.kind == ItemKind::Text {
                  it.kind = ItemKind::ToolResult;
                }
                it.tool_name.clone_from(&tool_name);
                it.is_error = is_error;
                it.cache_control |= cache_control;
              }
            }
            return Ok(());
          }
          Some(c) if kind_of(c) == JsonKind::String => {
            let mut it = Item::new(
              format!("{path}/content"),
              msg,
              role,
              ItemKind::ToolResult,
              Payload::Str(c),
            );
            it.tool_name = tool_name;
            it.is_error = is_error;
            it
          }
          _ => {
            let mut it = Item::new(path.into(), msg, role, ItemKind::ToolResult, Payload::None);
            it.tool_name = tool_name;
            it.is_error = is_error;
            it
          }
        }
      }
      "tool_use" => {
        self.note_provider(Provider::Anthropic);
        let name = short_str(b.name).map(|s| s.into_owned());
        if let (Some(id), Some(n)) = (short_str(b.id), name.clone()) {
          self.tool_names.insert(id.into_owned(), n);
        }
        let mut it = Item::new(
          path.into(),
          msg,
          role,
          ItemKind::ToolCall,
          b.input.map_or(Payload::None, Payload::Json),
        );
        it.tool_name = name;
        it
      }
      "thinking" => {
        self.note_provider(Provider::Anthropic);
        Item::new(
          path.into(),
          msg,
          role,
          ItemKind::Thinking,
          b.thinking.map_or(Payload::None, Payload::Str),
        )
      }
      "redacted_thinking" => {
        self.note_provider(Provider::Anthropic);
        Item::new(
          path.into(),
          msg,
          role,
          ItemKind::RedactedThinking,
          Payload::None,
        )
      }
      "image" | "document" | "image_url" | "input_image" | "input_audio" | "input_file"
      | "file" => Item::new(
        path.into(),
        msg,
        role,
        ItemKind::Media,
        Payload::Fixed(IMAGE_TOKENS),
      ),
      t if t == "server_tool_use"
        || t == "mcp_tool_use"
        || t.ends_with("_tool_result")
        || t == "container_upload" =>
      {
        Item::new(
          path.into(),
          msg,
          role,
          ItemKind::ServerTool,
          Payload::Json(raw_block),
        )
      }
      _ => Item::new(
        path.into(),
        msg,
        role,
        ItemKind::Unknown(ty),
        Payload::Json(raw_block),
      ),
    };
    item.cache_control |= cache_control;
    self.push(item);
    Ok(())
  }

  fn responses_input(&mut self, input: &'a str) -> Result<()> {
    match kind_of(input) {
      JsonKind::String => {
        self.first_message = Some(input);
        self.frames.push(Frame {
          role: Role::User,
          name: None,
        });
        self.latest_user_text = Some(input);
        self.message_count = 1;
        self.push(Item::new(
          "/input".into(),
          Some(0),
          Role::User,
          ItemKind::Text,
          Payload::Str(input),
        ));
        Ok(())
      }
      JsonKind::Array => {
        let list = self.doc.elements(input, "/input")?;
        self.messages(&list, "/input", ProviderHint::OpenaiResponses)
      }
      _ => Err(Error::unsupported_shape(
        "/input must be a string or an array",
      )),
    }
  }

  /// One Responses input item.
  fn response_item(&mut self, raw_item: &'a str, path: &str, i: usize) -> Result<()> {
    if kind_of(raw_item) != JsonKind::Object {
      return Err(Error::unsupported_shape(format!(
        "{path} must be an input item object"
      )));
    }
    let it = raw::Message::read(self.doc, raw_item, path)?;
    let ty = short_str(it.kind).map(|s| s.into_owned());
    let role_str = short_str(it.role);
    match ty.as_deref() {
      Some("message") | None if role_str.is_some() => {
        let role = Role::parse(role_str.as_deref());
        self.frames.push(Frame { role, name: None });
        let Some(content) = it.content else {
          return Ok(());
        };
        let content_path = format!("{path}/content");
        match kind_of(content) {
          JsonKind::String => {
            if role == Role::User {
              self.latest_user_text = Some(content);
            }
            self.push(Item::new(
              content_path,
              Some(i),
              role,
              ItemKind::Text,
              Payload::Str(content),
            ));
          }
          JsonKind::Array => {
            for (j, part) in self
              .doc
              .elements(content, &content_path)?
              .into_iter()
              .enumerate()
            {
              self.block(part, &format!("{content_path}/{j}"), Some(i), role)?;
            }
          }
          _ => {}
        }
      }
      Some("function_call") | Some("custom_tool_call") => {
        self.frames.push(Frame {
          role: Role::Assistant,
          name: None,
        });
        let name = short_str(it.name).map(|s| s.into_owned());
        if let (Some(id), Some(n)) = (short_str(it.call_id), name.clone()) {
          self.tool_names.insert(id.into_owned(), n);
        }
        let payload = it.arguments.or(it.content).map_or(Payload::None, |a| {
          if kind_of(a) == JsonKind::String {
            Payload::Str(a)
          } else {
            Payload::Json(a)
          }
        });
        let mut item = Item::new(
          path.into(),
          Some(i),
          Role::Assistant,
          ItemKind::ToolCall,
          payload,
        );
        item.tool_name = name;
        self.push(item);
      }
      Some("function_call_output") | Some("custom_tool_call_output") => {
        self.frames.push(Frame {
          role: Role::Tool,
          name: None,
        });
        let tool_name =
          short_str(it.call_id).and_then(|id| self.tool_names.get(id.as_ref()).cloned());
        let output_path = format!("{path}/output");
        match it.output {
          Some(out) if kind_of(out) == JsonKind::String => {
            let mut item = Item::new(
              output_path,
              Some(i),
              Role::Tool,
              ItemKind::ToolResult,
              Payload::Str(out),
            );
            item.tool_name = tool_name;
            self.push(item);
          }
          Some(out) if kind_of(out) == JsonKind::Array => {
            for (k, part) in self
              .doc
              .elements(out, &output_path)?
              .into_iter()
              .enumerate()
            {
              let before = self.items.len();
              self.block(part, &format!("{output_path}/{k}"), Some(i), Role::Tool)?;
              for item in &mut self.items[before..] {
                if item.kind == ItemKind::Text {
                  item.kind = ItemKind::ToolResult;
                }
                item.tool_name.clone_from(&tool_name);
              }
            }
          }
          _ => {
            let mut item = Item::new(
              path.into(),
              Some(i),
              Role::Tool,
              ItemKind::ToolResult,
              Payload::None,
            );
            item.tool_name = tool_name;
            self.push(item);
          }
        }
      }
      Some("reasoning") => {
        self.frames.push(Frame {
          role: Role::Assistant,
          name: None,
        });
        self.push(Item::new(
          path.into(),
          Some(i),
          Role::Assistant,
          ItemKind::Reasoning,
          it.summary.map_or(Payload::None, Payload::Json),
        ));
      }
      other => {
        self.frames.push(Frame {
          role: Role::Other,
          name: None,
        });
        let ty = other.unwrap_or("").to_string();
        self.push(Item::new(
          path.into(),
          Some(i),
          Role::Other,
          ItemKind::Unknown(ty),
          Payload::Json(raw_item),
        ));
      }
    }
    Ok(())
  }
}
