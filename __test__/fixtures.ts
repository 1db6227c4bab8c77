// Request bodies of the three provider shapes, built around real tool output from the
// shared corpus (headroom's own generator output: pretty-printed JSON).
import fs from 'node:fs'
import path from 'node:path'

import { CORPUS } from './corpus'

export const GENERATED = path.join(CORPUS, 'headroom-generated')

/** A real JSON tool output (pretty-printed, ~30-45 KB). */
export function toolOutput(name = 'database_rows_mixed.json'): string {
  return fs.readFileSync(path.join(GENERATED, name), 'utf8')
}

/** An Anthropic Messages body with every kind of block around one big tool result. */
export function anthropicBody(output = toolOutput()) {
  return {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 2048,
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1' },
      { type: 'text', text: 'You are a careful assistant.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
    tools: [{ name: 'query_db', description: 'Run SQL', input_schema: { type: 'object', properties: { sql: { type: 'string' } } } }],
    messages: [
      { role: 'user', content: 'Which transactions failed last week? Check the database.' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I should query the transactions table.', signature: 'EqQBCkYIBxgCKkD...sig==' },
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_01', name: 'query_db', input: { sql: 'select * from tx' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01', content: output, cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Focus on failed ones.' },
        ],
      },
    ],
  }
}

/** An OpenAI Chat Completions body with a `tool` message. */
export function openaiChatBody(output = toolOutput()) {
  return {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'You are a careful assistant.' },
      { role: 'user', content: 'Which transactions failed last week?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'query_db', arguments: '{"sql":"select * from tx"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: output },
    ],
    tools: [{ type: 'function', function: { name: 'query_db', parameters: { type: 'object' } } }],
  }
}

/** An OpenAI Responses body with a `function_call_output` and a reasoning item. */
export function responsesBody(output = toolOutput()) {
  return {
    model: 'gpt-5',
    instructions: 'You are a careful assistant.',
    input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Which transactions failed?' }] },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAB...' },
      { type: 'function_call', call_id: 'call_1', name: 'query_db', arguments: '{"sql":"select * from tx"}', phase: 'commentary' },
      { type: 'function_call_output', call_id: 'call_1', output },
    ],
  }
}
