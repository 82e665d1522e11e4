/** A prompt before and after enhancement, and who did it, so a run can record what was actually generated. */
export interface PromptEnhancement {
  original: string;
  enhanced: string;
  /** The enhancer that answered; after a fallback, the stand-in rather than the one asked first. */
  enhancer: string;
  /** The language model that wrote `enhanced`; null for offline enhancers. */
  model: string | null;
}

export interface PromptEnhancerContext {
  signal: AbortSignal;
  negativePrompt?: string | null;
}

/** Turns a terse user prompt into a richer one for the image model; the original is never lost. */
export interface PromptEnhancer {
  readonly name: string;
  /**
   * The model this enhancer asks, when it asks one. Caches key on it, so switching models does not serve
   * answers another model wrote.
   */
  readonly model?: string | null;
  enhance(prompt: string, ctx: PromptEnhancerContext): Promise<PromptEnhancement>;
}
