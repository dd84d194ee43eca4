export declare const schemathesisVersion: string;
export declare const schemathesisVenv: string;
export declare const schemathesisCommand: string;
