package io.keyport.check;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Envoy's CheckRequest even when a header value is not UTF-8. Envoy forwards request headers
 * as the client sent them, and HTTP allows any byte above 0x7f in a value, but the proto declares
 * them as {@code string}, which protobuf-java refuses to parse unless it is valid UTF-8: a strict
 * parse would fail such a check with an error, and Envoy would deny (or, with {@code
 * failure_mode_allow}, admit) it without asking Keyport. So a request that fails to parse is read
 * again with every string field taken as bytes, each of those decoded as UTF-8 with U+FFFD for what
 * is not, and then parsed for real. Only a message that is not protobuf at all is refused, with
 * INVALID_ARGUMENT: parsing gives {@link #UNREADABLE} and the service answers the error.
 */
final class GrpcCheckRequests {

  private static final GrpcCheckRequests INSTANCE = new GrpcCheckRequests();

  /** What a message that is not a CheckRequest parses to; compared by identity. */
  static final CheckRequest UNREADABLE = CheckRequest.newBuilder().build();

  /** CheckRequest's type with every string field (in it and all it refers to) declared bytes. */
  private final Descriptor asBytes;

  /** The full names of the fields that were strings. */
  private final Set<String> wereStrings = new HashSet<>();

  private GrpcCheckRequests() {
    Map<String, FileDescriptor> rebuilt = new HashMap<>();
    FileDescriptor file = rebuild(CheckRequest.getDescriptor().getFile(), rebuilt);
    asBytes = file.findMessageTypeByName(CheckRequest.getDescriptor().getName());
  }

  /** The CheckRequest in {@code bytes}, or {@link #UNREADABLE} if they are not protobuf. */
  static CheckRequest parse(byte[] bytes) {
    return INSTANCE.read(bytes);
  }

  private CheckRequest read(byte[] bytes) {
    try {
      return CheckRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notUtf8OrNotProtobuf) {
      try {
        DynamicMessage raw = DynamicMessage.parseFrom(asBytes, bytes);
        return CheckRequest.parseFrom(decoded(raw).toByteString());
      } catch (InvalidProtocolBufferException notProtobuf) {
        return UNREADABLE;
      }
    }
  }

  private DynamicMessage decoded(DynamicMessage message) {
    DynamicMessage.Builder copy = DynamicMessage.newBuilder(message.getDescriptorForType());
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor descriptor = field.getKey();
      if (descriptor.isRepeated()) {
        for (Object value : (List<?>) field.getValue()) {
          copy.addRepeatedField(descriptor, decoded(descriptor, value));
        }
      } else {
        copy.setField(descriptor, decoded(descriptor, field.getValue()));
      }
    }
    copy.setUnknownFields(message.getUnknownFields());
    return copy.build();
  }

  private Object decoded(FieldDescriptor descriptor, Object value) {
    if (value instanceof DynamicMessage nested) {
      return decoded(nested);
    }
    if (value instanceof ByteString bytes && wereStrings.contains(descriptor.getFullName())) {
      return ByteString.copyFromUtf8(bytes.toString(StandardCharsets.UTF_8));
    }
    return value;
  }

  private FileDescriptor rebuild(FileDescriptor file, Map<String, FileDescriptor> rebuilt) {
    FileDescriptor done = rebuilt.get(file.getName());
    if (done != null) {
      return done;
    }
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (FileDescriptor dependency : file.getDependencies()) {
      dependencies.add(rebuild(dependency, rebuilt));
    }
    FileDescriptorProto.Builder proto = file.toProto().toBuilder();
    String scope = proto.getPackage().isEmpty() ? "" : proto.getPackage() + ".";
    for (DescriptorProto.Builder type : proto.getMessageTypeBuilderList()) {
      stringsToBytes(type, scope);
    }
    try {
      FileDescriptor built =
          FileDescriptor.buildFrom(proto.build(), dependencies.toArray(new FileDescriptor[0]));
      rebuilt.put(file.getName(), built);
      return built;
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException("Envoy's CheckRequest cannot be read leniently", e);
    }
  }

  private void stringsToBytes(DescriptorProto.Builder type, String scope) {
    String name = scope + type.getName();
    for (FieldDescriptorProto.Builder field : type.getFieldBuilderList()) {
      if (field.getType() == FieldDescriptorProto.Type.TYPE_STRING) {
        field.setType(FieldDescriptorProto.Type.TYPE_BYTES);
        wereStrings.add(name + "." + field.getName());
      }
    }
    // A map's key may not be bytes: its entries are read as the repeated messages they are.
    if (type.hasOptions() && type.getOptions().getMapEntry()) {
      type.getOptionsBuilder().clearMapEntry();
    }
    for (DescriptorProto.Builder nested : type.getNestedTypeBuilderList()) {
      stringsToBytes(nested, name + ".");
    }
  }
}
