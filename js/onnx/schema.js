// schema.js - the part of ONNX's onnx.proto (proto2, package onnx) that
// rnn-wasm writes and reads, as field tables for protobuf.js's encode/decode:
//   fieldName: [field number, type (a scalar or a message below), label?]
// label 'repeated' or 'packed' (repeated, written packed as onnx.proto
// declares it; the reader takes both forms). Fields left out are skipped on
// read. Shared by the ONNX export and import.

const R = 'repeated', P = 'packed';

export const ONNX = Object.freeze({
  ModelProto: {
    ir_version: [1, 'int64'],
    producer_name: [2, 'string'],
    producer_version: [3, 'string'],
    domain: [4, 'string'],
    model_version: [5, 'int64'],
    doc_string: [6, 'string'],
    graph: [7, 'GraphProto'],
    opset_import: [8, 'OperatorSetIdProto', R],
    metadata_props: [14, 'StringStringEntryProto', R],
    functions: [25, 'FunctionProto', R],
  },
  OperatorSetIdProto: {
    domain: [1, 'string'],
    version: [2, 'int64'],
  },
  StringStringEntryProto: {
    key: [1, 'string'],
    value: [2, 'string'],
  },
  // only enough of a model-local function to name it in an error
  FunctionProto: {
    name: [1, 'string'],
    domain: [10, 'string'],
  },
  GraphProto: {
    node: [1, 'NodeProto', R],
    name: [2, 'string'],
    initializer: [5, 'TensorProto', R],
    sparse_initializer: [15, 'SparseTensorProto', R],
    doc_string: [10, 'string'],
    input: [11, 'ValueInfoProto', R],
    output: [12, 'ValueInfoProto', R],
    value_info: [13, 'ValueInfoProto', R],
  },
  NodeProto: {
    input: [1, 'string', R],
    output: [2, 'string', R],
    name: [3, 'string'],
    op_type: [4, 'string'],
    domain: [7, 'string'],
    attribute: [5, 'AttributeProto', R],
    doc_string: [6, 'string'],
  },
  AttributeProto: {
    name: [1, 'string'],
    ref_attr_name: [21, 'string'],
    doc_string: [13, 'string'],
    type: [20, 'int32'], // ATTRIBUTE_TYPE
    f: [2, 'float'],
    i: [3, 'int64'],
    s: [4, 'bytes'],
    t: [5, 'TensorProto'],
    g: [6, 'GraphProto'],
    sparse_tensor: [22, 'SparseTensorProto'],
    floats: [7, 'float', R],
    ints: [8, 'int64', R],
    strings: [9, 'bytes', R],
    tensors: [10, 'TensorProto', R],
    graphs: [11, 'GraphProto', R],
  },
  ValueInfoProto: {
    name: [1, 'string'],
    type: [2, 'TypeProto'],
    doc_string: [3, 'string'],
  },
  TypeProto: {
    tensor_type: [1, 'TypeProtoTensor'],
    sequence_type: [4, 'TypeProtoElem'],
    map_type: [5, 'TypeProtoMap'],
    optional_type: [9, 'TypeProtoElem'],
    sparse_tensor_type: [8, 'TypeProtoTensor'],
    denotation: [6, 'string'],
  },
  TypeProtoTensor: { // TypeProto.Tensor and TypeProto.SparseTensor
    elem_type: [1, 'int32'], // DATA_TYPE
    shape: [2, 'TensorShapeProto'],
  },
  TypeProtoElem: { // TypeProto.Sequence and TypeProto.Optional
    elem_type: [1, 'TypeProto'],
  },
  TypeProtoMap: {
    key_type: [1, 'int32'],
    value_type: [2, 'TypeProto'],
  },
  TensorShapeProto: {
    dim: [1, 'Dimension', R],
  },
  Dimension: { // TensorShapeProto.Dimension: dim_value or dim_param (a named dynamic axis)
    dim_value: [1, 'int64'],
    dim_param: [2, 'string'],
    denotation: [3, 'string'],
  },
  TensorProto: {
    dims: [1, 'int64', R],
    data_type: [2, 'int32'], // DATA_TYPE
    segment: [3, 'TensorSegment'],
    float_data: [4, 'float', P],
    int32_data: [5, 'int32', P],
    string_data: [6, 'bytes', R],
    int64_data: [7, 'int64', P],
    name: [8, 'string'],
    doc_string: [12, 'string'],
    raw_data: [9, 'bytes'], // little-endian elements
    external_data: [13, 'StringStringEntryProto', R],
    data_location: [14, 'int32'], // 0 DEFAULT, 1 EXTERNAL
    double_data: [10, 'double', P],
    uint64_data: [11, 'uint64', P],
  },
  TensorSegment: {
    begin: [1, 'int64'],
    end: [2, 'int64'],
  },
  SparseTensorProto: {
    values: [1, 'TensorProto'],
    indices: [2, 'TensorProto'],
    dims: [3, 'int64', R],
  },
});

/** TensorProto.DataType (the element types; ONNX numbers them, not protobuf). */
export const DATA_TYPE = Object.freeze({
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7,
  STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
  COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
});

/** AttributeProto.AttributeType: which value field an attribute uses. */
export const ATTRIBUTE_TYPE = Object.freeze({
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, SPARSE_TENSOR: 11,
  FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSORS: 12,
});

/** What the export writes: IR version 8 (onnx 1.10-1.12 read it; so does
 *  onnxruntime) and opset 17 of the default domain (the newest onnx 1.12 knows). */
export const IR_VERSION = 8;
export const OPSET = 17;
